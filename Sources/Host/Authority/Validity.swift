import Foundation
import StepConfig

/// The validity window of an X.509 certificate from the request, the claims and the backdate
/// (reference §4.4).
struct Validity: Sendable, Equatable {
    var notBefore: Date
    var notAfter: Date

    /// - notBefore: requested (time, or now + duration), else now − backdate.
    /// - notAfter: requested time, or a duration added to the un-backdated notBefore, else that
    ///   notBefore + the default duration.
    /// Then the window is checked: notAfter in the past or before notBefore → 400; shorter than
    /// the minimum → 403; longer than maximum + backdate → 403.
    /// A template's `notBefore`/`notAfter` apply where the request sets none.
    static func compute(requestedNotBefore: TimeOrDuration?, requestedNotAfter: TimeOrDuration?,
                        templateNotBefore: Date? = nil, templateNotAfter: Date? = nil,
                        durations: EffectiveClaims.Durations, backdate: TimeInterval, now: Date) throws -> Validity {
        let now = now.wholeSeconds
        let base = requestedNotBefore?.resolve(relativeTo: now) ?? templateNotBefore ?? now
        let notBefore = requestedNotBefore == nil && templateNotBefore == nil ? now.addingTimeInterval(-backdate) : base
        let notAfter = requestedNotAfter?.resolve(relativeTo: base) ?? templateNotAfter
            ?? base.addingTimeInterval(durations.default.timeInterval)

        if notAfter < now {
            throw APIError.badRequest("notAfter cannot be in the past; na=\(GoTime.display(notAfter))")
        }
        if notAfter < notBefore {
            throw APIError.badRequest("notAfter cannot be before notBefore; na=\(GoTime.display(notAfter)), nb=\(GoTime.display(notBefore))")
        }
        let duration = notAfter.timeIntervalSince(notBefore)
        if duration < durations.minimum.timeInterval {
            throw APIError.forbidden("requested duration of \(GoDuration(seconds: duration)) is less than the authorized minimum certificate duration of \(durations.minimum)")
        }
        if duration > durations.maximum.timeInterval + backdate {
            throw APIError.forbidden("requested duration of \(GoDuration(seconds: duration)) is more than the authorized maximum certificate duration of \(GoDuration(seconds: durations.maximum.timeInterval + backdate))")
        }
        return Validity(notBefore: notBefore, notAfter: notAfter)
    }
}

extension GoDuration {
    /// A duration from seconds (rounded to nanoseconds).
    init(seconds: TimeInterval) {
        self.init(nanoseconds: Int64((seconds * 1e9).rounded()))
    }
}
