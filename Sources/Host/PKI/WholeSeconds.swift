import Foundation

extension Date {
    /// This time without its fraction of a second, as Go writes certificate times. Certificates
    /// carry whole seconds, and swift-certificates rounds to the nearest one, which could start a
    /// validity up to half a second in the future.
    var wholeSeconds: Date {
        Date(timeIntervalSince1970: floor(timeIntervalSince1970))
    }
}
