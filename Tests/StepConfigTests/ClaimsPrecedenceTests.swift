import Foundation
import StepConfig
import Testing

@Suite("Claims precedence: provisioner > authority > built-in")
struct ClaimsPrecedenceTests {
    typealias Durations = EffectiveClaims.Durations

    func effective(_ claims: Claims, over inherited: EffectiveClaims = .builtIn) throws(ConfigError) -> EffectiveClaims {
        try claims.effective(over: inherited, at: JSONPath("authority.claims"), file: "ca.json")
    }

    @Test("nothing set gives the built-ins")
    func builtIns() throws {
        let claims = try effective(Claims())
        #expect(claims == .builtIn)
        #expect(claims.tls == Durations(minimum: .minutes(5), maximum: .hours(24), default: .hours(24)))
        #expect(claims.userSSH == Durations(minimum: .minutes(5), maximum: .hours(24), default: .hours(16)))
        #expect(claims.hostSSH == Durations(minimum: .minutes(5), maximum: .hours(720), default: .hours(720)))
        #expect(!claims.enableSSHCA && !claims.disableRenewal && !claims.allowRenewalAfterExpiry
                && !claims.disableSmallstepExtensions)
    }

    @Test("fields merge one by one across the three levels")
    func fieldByField() throws {
        let authority = try effective(Claims(maxTLSCertDuration: .hours(168), enableSSHCA: true,
                                             disableRenewal: true))
        let provisioner = try effective(Claims(minTLSCertDuration: .minutes(1), disableRenewal: false,
                                               allowRenewalAfterExpiry: true), over: authority)
        #expect(provisioner.tls == Durations(minimum: .minutes(1), maximum: .hours(168), default: .hours(24)))
        #expect(provisioner.enableSSHCA)          // from the authority
        #expect(!provisioner.disableRenewal)      // provisioner overrides the authority
        #expect(provisioner.allowRenewalAfterExpiry)
        #expect(!provisioner.disableSmallstepExtensions)  // built-in
        #expect(provisioner.hostSSH == EffectiveClaims.builtIn.hostSSH)
    }

    /// (claims at this level, inherited, expected TLS bounds)
    static let widening: [(String, Claims, Durations)] = [
        ("a long default raises the inherited max", Claims(defaultTLSCertDuration: .hours(48)),
         Durations(minimum: .minutes(5), maximum: .hours(48), default: .hours(48))),
        ("a short default lowers the inherited min", Claims(defaultTLSCertDuration: .minutes(1)),
         Durations(minimum: .minutes(1), maximum: .hours(24), default: .minutes(1))),
        ("a default inside the bounds changes nothing else", Claims(defaultTLSCertDuration: .hours(2)),
         Durations(minimum: .minutes(5), maximum: .hours(24), default: .hours(2))),
        ("an explicit max is kept when the default is within it",
         Claims(maxTLSCertDuration: .hours(72), defaultTLSCertDuration: .hours(48)),
         Durations(minimum: .minutes(5), maximum: .hours(72), default: .hours(48))),
        ("an explicit min is kept when the default is above it",
         Claims(minTLSCertDuration: .minutes(1), defaultTLSCertDuration: .minutes(2)),
         Durations(minimum: .minutes(1), maximum: .hours(24), default: .minutes(2))),
    ]

    @Test("the default widens inherited bounds", arguments: widening)
    func defaultWidensBounds(_ name: String, claims: Claims, expected: Durations) throws {
        #expect(try effective(claims).tls == expected, "\(name)")
    }

    @Test("widening applies to SSH bounds too")
    func sshWidening() throws {
        let claims = try effective(Claims(defaultUserSSHCertDuration: .hours(48),
                                          defaultHostSSHCertDuration: .minutes(1)))
        #expect(claims.userSSH == Durations(minimum: .minutes(5), maximum: .hours(48), default: .hours(48)))
        #expect(claims.hostSSH == Durations(minimum: .minutes(1), maximum: .hours(720), default: .minutes(1)))
    }

    @Test("widening is relative to the authority, not the built-ins")
    func wideningAgainstAuthority() throws {
        let authority = try effective(Claims(maxTLSCertDuration: .hours(2), defaultTLSCertDuration: .hours(1)))
        let provisioner = try effective(Claims(defaultTLSCertDuration: .hours(3)), over: authority)
        #expect(provisioner.tls == Durations(minimum: .minutes(5), maximum: .hours(3), default: .hours(3)))
    }

    /// Claims that must be rejected, and the claim the error names.
    static let rejected: [(String, Claims, String, String)] = [
        ("zero min", Claims(minTLSCertDuration: .zero), "minTLSCertDuration", "minTLSCertDuration must be greater than 0"),
        ("negative max", Claims(maxTLSCertDuration: .minutes(-1)), "maxTLSCertDuration", "maxTLSCertDuration must be greater than 0"),
        ("zero default widens min to zero", Claims(defaultTLSCertDuration: .zero), "defaultTLSCertDuration",
         "defaultTLSCertDuration must be greater than 0"),
        ("max below min", Claims(minTLSCertDuration: .hours(2), maxTLSCertDuration: .hours(1)), "maxTLSCertDuration",
         "maxTLSCertDuration 1h0m0s is less than minTLSCertDuration 2h0m0s"),
        ("max below inherited min", Claims(maxTLSCertDuration: .minutes(1)), "maxTLSCertDuration",
         "maxTLSCertDuration 1m0s is less than minTLSCertDuration 5m0s (inherited)"),
        ("min above inherited max", Claims(minTLSCertDuration: .hours(25)), "minTLSCertDuration",
         "maxTLSCertDuration 24h0m0s (inherited) is less than minTLSCertDuration 25h0m0s"),
        ("default below explicit min", Claims(minTLSCertDuration: .hours(1), defaultTLSCertDuration: .minutes(30)),
         "defaultTLSCertDuration", "defaultTLSCertDuration 30m0s is less than minTLSCertDuration 1h0m0s"),
        ("default above explicit max", Claims(maxTLSCertDuration: .hours(1), defaultTLSCertDuration: .hours(2)),
         "defaultTLSCertDuration", "defaultTLSCertDuration 2h0m0s is greater than maxTLSCertDuration 1h0m0s"),
        ("max below inherited default", Claims(maxTLSCertDuration: .hours(1)), "maxTLSCertDuration",
         "defaultTLSCertDuration 24h0m0s (inherited) is greater than maxTLSCertDuration 1h0m0s"),
    ]

    @Test("invalid claims name the offending claim", arguments: rejected)
    func rejects(_ name: String, claims: Claims, key: String, message: String) {
        do {
            _ = try effective(claims)
            Issue.record("\(name): expected an error")
        } catch {
            #expect(error.code == .invalidClaims)
            #expect(error.path.description == "authority.claims." + key, "\(name)")
            #expect(error.reason == message, "\(name)")
        }
    }

    @Test("SSH bounds are not validated, as in step-ca")
    func sshNotValidated() throws {
        let claims = try effective(Claims(minUserSSHCertDuration: .hours(48), maxUserSSHCertDuration: .hours(1)))
        #expect(claims.userSSH.minimum > claims.userSSH.maximum)
    }

    @Test("resolution through a loaded configuration")
    func throughConfig() throws {
        let json = ConfigMutation.json([
            .set("authority.claims.maxTLSCertDuration", "168h"),
            .set("authority.claims.enableSSHCA", true),
            .set("authority.provisioners[0].claims.defaultTLSCertDuration", "200h"),
            .set("authority.provisioners[0].claims.enableSSHCA", false),
        ])
        let (config, warnings) = try CAConfig.parse(Data(json.utf8), stepPath: TestFiles.stepPath)
        #expect(warnings.isEmpty)
        #expect(try config.authorityClaims().tls.maximum == .hours(168))
        #expect(try config.authorityClaims().enableSSHCA)
        let provisioner = try config.effectiveClaims(for: config.authority.provisioners[0])
        #expect(provisioner.tls == Durations(minimum: .minutes(5), maximum: .hours(200), default: .hours(200)))
        #expect(!provisioner.enableSSHCA)
    }
}
