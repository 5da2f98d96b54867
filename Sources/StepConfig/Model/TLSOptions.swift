/// The top-level `tls` object, with step-ca's defaults filled in.
public struct TLSOptions: Sendable, Equatable {
    /// Go cipher suite names; these only constrain TLS 1.2 and below.
    public var cipherSuites: [String]
    /// Lowest protocol version offered.
    public var minVersion: TLSVersion
    /// Highest protocol version offered.
    public var maxVersion: TLSVersion
    /// Whether renegotiation is allowed.
    public var renegotiation: Bool

    /// The cipher suites step-ca uses when none are given.
    public static let defaultCipherSuites = [
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ]

    /// What step-ca uses when `tls` is absent: the default suites, TLS 1.2–1.3,
    /// no renegotiation.
    public static let `default` = TLSOptions(cipherSuites: defaultCipherSuites, minVersion: .tls1_2,
                                             maxVersion: .tls1_3, renegotiation: false)

    /// Makes TLS options.
    public init(cipherSuites: [String], minVersion: TLSVersion, maxVersion: TLSVersion, renegotiation: Bool) {
        self.cipherSuites = cipherSuites
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.renegotiation = renegotiation
    }

    /// The IANA code points of ``cipherSuites``, in order.
    public var cipherSuiteCodes: [UInt16] {
        cipherSuites.compactMap { TLSCipherSuites.codes[$0] }
    }
}

/// A TLS protocol version as written in ca.json (`1.0` ... `1.3`).
public enum TLSVersion: String, Sendable, CaseIterable, Comparable {
    /// TLS 1.0.
    case tls1_0 = "1.0"
    /// TLS 1.1.
    case tls1_1 = "1.1"
    /// TLS 1.2.
    case tls1_2 = "1.2"
    /// TLS 1.3.
    case tls1_3 = "1.3"

    /// The version for a ca.json number; `nil` for anything but 1.0–1.3.
    public init?(number: Double) {
        switch number {
        case 1.0: self = .tls1_0
        case 1.1: self = .tls1_1
        case 1.2: self = .tls1_2
        case 1.3: self = .tls1_3
        default: return nil
        }
    }

    /// The protocol version number on the wire (0x0301 ... 0x0304).
    public var wireValue: UInt16 {
        switch self {
        case .tls1_0: return 0x0301
        case .tls1_1: return 0x0302
        case .tls1_2: return 0x0303
        case .tls1_3: return 0x0304
        }
    }

    /// Orders by protocol version.
    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
        lhs.wireValue < rhs.wireValue
    }
}
