import Foundation
import WebSupport

/// The application's page templates (`Sources/LabGate/Templates`): the student's and the teacher's pages.
let pageTemplates = PageTemplates(folder: Bundle.module.url(forResource: "Templates", withExtension: nil))
