import Audio
import Foundation

/// What went wrong with an input, without its name when the error carries it (records and
/// messages put the name first themselves).
package func inputErrorReason(_ error: any Error) -> String {
    if let error = error as? AudioError { return error.reason }
    if case .invalidManifest(_, let reason)? = error as? RecognizerError { return reason }
    // Foundation's file errors print as a dump of their user info; the system's reason is the readable part.
    if let error = error as? CocoaError, let underlying = error.underlying as? POSIXError { return String(cString: strerror(underlying.code.rawValue)) }
    return "\(error)"
}
