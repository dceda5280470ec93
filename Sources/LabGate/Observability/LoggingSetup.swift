import Logging

/// Sets up the process's logging once, from the configuration.
package enum LoggingSetup {
    package static func bootstrap(_ config: LabGateConfig) {
        let level = config.logLevel
        switch config.logFormat {
        case .plain:
            LoggingSystem.bootstrap { label in
                var handler = PlainLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
