import Logging

extension LabGateConfig {
    /// A logger at the configured level (also where `LoggingSetup` was never run, as in tests).
    package func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }
}
