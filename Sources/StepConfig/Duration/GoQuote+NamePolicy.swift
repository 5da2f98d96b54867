import NamePolicy

/// Quoting for strings inside messages, like Go's `%q` (one implementation, in NamePolicy).
typealias GoQuote = NamePolicy.GoQuote
