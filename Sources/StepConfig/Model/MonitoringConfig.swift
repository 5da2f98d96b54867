/// The top-level `monitoring` object (`{"type":"newrelic","name","key"}`).
/// Current step-ca releases read but do not act on it.
public struct MonitoringConfig: Sendable, Equatable {
    /// Monitoring service type, e.g. `newrelic`.
    public var type: String?
    /// Application name.
    public var name: String?
    /// License key.
    public var key: String?
    /// The object exactly as written in ca.json.
    public var rawJSON: String

    /// Makes monitoring settings.
    public init(type: String? = nil, name: String? = nil, key: String? = nil, rawJSON: String = "{}") {
        self.type = type
        self.name = name
        self.key = key
        self.rawJSON = rawJSON
    }
}
