import CloudKMSKit

/// The HTTPS client of the cloud plugins (CloudKMSKit), under the name this module has used.
public typealias HTTPTransport = CloudHTTPClient

/// An HTTP answer (status, headers, body; Retry-After), from CloudKMSKit.
public typealias HTTPAnswer = CloudKMSKit.HTTPAnswer
