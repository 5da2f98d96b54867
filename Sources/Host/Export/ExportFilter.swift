import Foundation

/// Which records an export writes. Time windows are half-open: `from` inclusive, `to`
/// exclusive, so consecutive windows never write a certificate twice.
struct ExportFilter: Sendable, Equatable {
    /// `all`, or one ``ExportRecord/Status``.
    enum StatusChoice: String, Sendable, CaseIterable {
        case all, active, expired, revoked
    }

    var status: StatusChoice = .all
    /// Provisioner names; empty means any (including none).
    var provisioners: Set<String> = []
    var notAfterFrom: Date?
    var notAfterTo: Date?
    /// Applied to notBefore: step-ca records no separate issuance time (and backdates
    /// notBefore by one minute unless the request sets it).
    var issuedFrom: Date?
    var issuedTo: Date?

    /// Whether `record` is written. A record whose certificate cannot be read is always written:
    /// no filter can decide about it, and leaving it out would hide the damage.
    func admits(_ record: ExportRecord) -> Bool {
        if record.error != nil { return true }
        switch status {
        case .all: break
        case .active: guard record.status == .active else { return false }
        case .expired: guard record.status == .expired else { return false }
        case .revoked: guard record.status == .revoked else { return false }
        }
        if !provisioners.isEmpty {
            guard let name = record.provisioner?.name, provisioners.contains(name) else { return false }
        }
        return Self.within(record.notAfter, from: notAfterFrom, to: notAfterTo)
            && Self.within(record.notBefore, from: issuedFrom, to: issuedTo)
    }

    private static func within(_ date: Date?, from: Date?, to: Date?) -> Bool {
        guard from != nil || to != nil else { return true }
        guard let date else { return false }
        if let from, date < from { return false }
        if let to, date >= to { return false }
        return true
    }
}
