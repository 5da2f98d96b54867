import CPKCS11

/// The PKCS#11 v2.40 constants the plugin uses, spelled out (the header's macros are not all
/// importable, e.g. those with casts).
enum CK {
    static let invalidHandle: CK_ULONG = 0
    static let unavailableInformation: CK_ULONG = ~0

    // Booleans
    static let trueValue: CK_BBOOL = 1
    static let falseValue: CK_BBOOL = 0

    // Users and session flags
    static let userCU: CK_ULONG = 1
    static let serialSession: CK_ULONG = 1 << 2
    static let readWriteSession: CK_ULONG = 1 << 1
    static let osLockingOK: CK_ULONG = 1 << 1

    // Token flags
    static let tokenInitialized: CK_ULONG = 0x400
    static let loginRequired: CK_ULONG = 0x4
    static let userPinCountLow: CK_ULONG = 0x10000
    static let userPinFinalTry: CK_ULONG = 0x20000
    static let userPinLocked: CK_ULONG = 0x40000

    // Object classes
    static let certificateClass: CK_ULONG = 1
    static let publicKeyClass: CK_ULONG = 2
    static let privateKeyClass: CK_ULONG = 3

    // Key and certificate types
    static let rsaKey: CK_ULONG = 0
    static let ecKey: CK_ULONG = 3
    static let x509Certificate: CK_ULONG = 0

    // Attributes
    static let aClass: CK_ULONG = 0x0
    static let aToken: CK_ULONG = 0x1
    static let aPrivate: CK_ULONG = 0x2
    static let aLabel: CK_ULONG = 0x3
    static let aValue: CK_ULONG = 0x11
    static let aCertificateType: CK_ULONG = 0x80
    static let aIssuer: CK_ULONG = 0x81
    static let aSerialNumber: CK_ULONG = 0x82
    static let aKeyType: CK_ULONG = 0x100
    static let aSubject: CK_ULONG = 0x101
    static let aID: CK_ULONG = 0x102
    static let aSensitive: CK_ULONG = 0x103
    static let aDecrypt: CK_ULONG = 0x105
    static let aSign: CK_ULONG = 0x108
    static let aVerify: CK_ULONG = 0x10a
    static let aModulus: CK_ULONG = 0x120
    static let aModulusBits: CK_ULONG = 0x121
    static let aPublicExponent: CK_ULONG = 0x122
    static let aExtractable: CK_ULONG = 0x162
    static let aECParams: CK_ULONG = 0x180
    static let aECPoint: CK_ULONG = 0x181

    // Mechanisms
    static let mRSAKeyPairGen: CK_ULONG = 0x0
    static let mRSAPKCS: CK_ULONG = 0x1
    static let mRSAPKCSPSS: CK_ULONG = 0xd
    static let mSHA256: CK_ULONG = 0x250
    static let mSHA384: CK_ULONG = 0x260
    static let mSHA512: CK_ULONG = 0x270
    static let mECKeyPairGen: CK_ULONG = 0x1040
    static let mECDSA: CK_ULONG = 0x1041

    // MGF1 generators
    static let mgf1SHA256: CK_ULONG = 2
    static let mgf1SHA384: CK_ULONG = 3
    static let mgf1SHA512: CK_ULONG = 4
}
