/// `authority.template`: default subject attributes. Each attribute may be
/// written as one string or as a list of strings.
public struct ASN1DN: Sendable, Equatable {
    /// Country (C).
    public var country: [String]
    /// Organization (O).
    public var organization: [String]
    /// Organizational unit (OU).
    public var organizationalUnit: [String]
    /// Locality (L).
    public var locality: [String]
    /// State or province (ST).
    public var province: [String]
    /// Street address.
    public var streetAddress: [String]
    /// Postal code.
    public var postalCode: [String]
    /// Subject serial number.
    public var serialNumber: [String]
    /// Common name (CN).
    public var commonName: [String]

    /// The JSON keys of the attributes, in step's order.
    public static let keys = ["country", "organization", "organizationalUnit", "locality", "province",
                              "streetAddress", "postalCode", "serialNumber", "commonName"]

    /// Makes a template; empty lists mean "not set".
    public init(country: [String] = [], organization: [String] = [], organizationalUnit: [String] = [],
                locality: [String] = [], province: [String] = [], streetAddress: [String] = [],
                postalCode: [String] = [], serialNumber: [String] = [], commonName: [String] = []) {
        self.country = country
        self.organization = organization
        self.organizationalUnit = organizationalUnit
        self.locality = locality
        self.province = province
        self.streetAddress = streetAddress
        self.postalCode = postalCode
        self.serialNumber = serialNumber
        self.commonName = commonName
    }

    /// Whether no attribute is set.
    public var isEmpty: Bool {
        [country, organization, organizationalUnit, locality, province, streetAddress, postalCode,
         serialNumber, commonName].allSatisfy(\.isEmpty)
    }
}
