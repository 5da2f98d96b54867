// swift-tools-version:6.1
import PackageDescription

/// Every plugin exports exactly one symbol (`stepca_plugin_entry`), binds its own symbols first
/// and must resolve all of its references at link time.
let pluginLinkerFlags: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld",
        "-Xlinker", "--version-script=\(Context.packageDirectory)/Plugins/plugin-exports.map",
        "-Xlinker", "-Bsymbolic",
        "-Xlinker", "-z", "-Xlinker", "defs",
    ])
]

let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "swift-step-ca",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "step-ca", targets: ["Host"]),
        .library(name: "stepca-db-sqlite", type: .dynamic, targets: ["DBSQLite"]),
        .library(name: "stepca-db-postgres", type: .dynamic, targets: ["DBPostgres"]),
        .library(name: "stepca-db-mysql", type: .dynamic, targets: ["DBMySQL"]),
        .library(name: "stepca-kms-yubikey", type: .dynamic, targets: ["KMSYubiKey"]),
        .library(name: "stepca-kms-pkcs11", type: .dynamic, targets: ["KMSPKCS11"]),
        .library(name: "stepca-kms-aws", type: .dynamic, targets: ["KMSAWS"]),
        .library(name: "stepca-kms-gcp", type: .dynamic, targets: ["KMSGCP"]),
        .library(name: "stepca-kms-azure", type: .dynamic, targets: ["KMSAzure"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
        .executable(name: "stepca-bench-db", targets: ["BenchDB"]),
        .executable(name: "stepca-bench-sign", targets: ["BenchSign"]),
        .executable(name: "stepca-bench-template", targets: ["BenchTemplate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // The C plugin ABI: one header, plus a translation unit of layout assertions.
        .target(name: "PluginABI", path: "Sources/PluginABI"),

        // Swift helpers for plugin authors: a Swift type becomes a C function table.
        .target(name: "PluginKit", dependencies: ["PluginABI"], swiftSettings: v5),

        // Key files, PEM encodings, password-based encryption, JWE/JWK. No CA knowledge.
        .target(
            name: "StepCrypto",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: v5
        ),

        // The ca.json model with JSON-path validation. No I/O beyond reading the file.
        .target(name: "StepConfig", dependencies: ["NamePolicy"], swiftSettings: v5),

        // step-ca's name policies (allow/deny rules for X.509 names and SSH principals). No CA knowledge.
        .target(name: "NamePolicy", swiftSettings: v5),

        // The `step-ca` executable.
        .executableTarget(
            name: "Host",
            dependencies: [
                "PluginABI", "StepCrypto", "StepConfig", "NamePolicy", "GoTemplate",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
            ],
            swiftSettings: v5
        ),

        // Embedded default database: SQLite, loaded by the host through dlopen.
        .systemLibrary(
            name: "CSQLite3",
            path: "Plugins/db-sqlite/CSQLite3",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "SQLiteKV",
            dependencies: ["PluginKit", "CSQLite3"],
            path: "Plugins/db-sqlite/Store",
            swiftSettings: v5
        ),
        .target(
            name: "DBSQLite",
            dependencies: ["PluginKit", "SQLiteKV"],
            path: "Plugins/db-sqlite/Plugin",
            swiftSettings: v5,
            linkerSettings: pluginLinkerFlags
        ),

        // PostgreSQL through libpq, with step-ca's schema. Only this plugin links libpq.
        .systemLibrary(
            name: "CLibPQ",
            path: "Plugins/db-postgres/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "PostgresKV",
            dependencies: ["PluginKit", "CLibPQ"],
            path: "Plugins/db-postgres/Store",
            swiftSettings: v5
        ),
        .target(
            name: "DBPostgres",
            dependencies: ["PluginKit", "PostgresKV"],
            path: "Plugins/db-postgres/Plugin",
            swiftSettings: v5,
            linkerSettings: pluginLinkerFlags
        ),

        // MySQL and MariaDB through libmariadb, with step-ca's schema and the Go driver's DSNs.
        .systemLibrary(
            name: "CMariaDB",
            path: "Plugins/db-mysql/CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),
        .target(
            name: "MySQLKV",
            dependencies: ["PluginKit", "CMariaDB", "StepConfig"],
            path: "Plugins/db-mysql/Store",
            swiftSettings: v5
        ),
        .target(
            name: "DBMySQL",
            dependencies: ["PluginKit", "MySQLKV"],
            path: "Plugins/db-mysql/Plugin",
            swiftSettings: v5,
            linkerSettings: pluginLinkerFlags
        ),

        // PKCS#11 tokens and HSMs. Only the header is used (p11-kit's, from libp11-kit-dev): the
        // module named in ca.json is loaded with dlopen, so no PKCS#11 library is linked.
        .systemLibrary(name: "CPKCS11", path: "Plugins/kms-pkcs11/CPKCS11"),
        .target(
            name: "PKCS11KMS",
            dependencies: ["PluginKit", "CPKCS11"],
            path: "Plugins/kms-pkcs11/KMS",
            swiftSettings: v5
        ),
        .target(
            name: "KMSPKCS11",
            dependencies: ["PluginKit", "PKCS11KMS"],
            path: "Plugins/kms-pkcs11/Plugin",
            swiftSettings: v5,
            linkerSettings: pluginLinkerFlags
        ),

        // The network plumbing the cloud KMS plugins share (linked statically into each): HTTPS
        // with private trust roots, deadlines and retries with back-off, futures to ABI calls.
        .target(
            name: "CloudKMSKit",
            dependencies: [
                "PluginKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: v5
        ),

        // Google Cloud KMS over REST v1 with service-account OAuth2; HTTP through AsyncHTTPClient.
        .target(
            name: "GCPKMS",
            dependencies: [
                "PluginKit", "CloudKMSKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Plugins/kms-gcp/KMS",
            swiftSettings: v5
        ),
        .target(
            name: "KMSGCP",
            dependencies: ["PluginKit", "GCPKMS"],
            path: "Plugins/kms-gcp/Plugin",
            swiftSettings: v5,
            linkerSettings: pluginLinkerFlags
        ),

        // Azure Key Vault keys over REST 7.4 (client secret or managed identity); AsyncHTTPClient.
        .target(
            name: "AzureKMS",
            dependencies: [
                "PluginKit", "CloudKMSKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Plugins/kms-azure/KMS",
            swiftSettings: v5
        ),
        .target(
            name: "KMSAzure",
            dependencies: ["PluginKit", "AzureKMS"],
            path: "Plugins/kms-azure/Plugin",
            swiftSettings: v5,
            linkerSettings: pluginLinkerFlags
        ),

        // YubiKey PIV over PC/SC. libpcsclite is loaded with dlopen at run time, never linked.
        .target(
            name: "YubiKeyPIV",
            dependencies: [
                "PluginKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Plugins/kms-yubikey/PIV",
            swiftSettings: v5
        ),
        .target(
            name: "KMSYubiKey",
            dependencies: ["PluginKit", "YubiKeyPIV"],
            path: "Plugins/kms-yubikey/Plugin",
            swiftSettings: v5,
            linkerSettings: pluginLinkerFlags
        ),

        // AWS KMS over its JSON API, requests signed with SigV4; HTTP through AsyncHTTPClient.
        .target(
            name: "AWSKMS",
            dependencies: [
                "PluginKit", "CloudKMSKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Plugins/kms-aws/KMS",
            swiftSettings: v5
        ),
        .target(
            name: "KMSAWS",
            dependencies: ["PluginKit", "AWSKMS"],
            path: "Plugins/kms-aws/Plugin",
            swiftSettings: v5,
            linkerSettings: pluginLinkerFlags
        ),

        // Latency and throughput of the SQLite plugin: in-process, through the C ABI, and
        // through the C ABI on a thread pool (see benchmarks/README.md).
        .executableTarget(
            name: "BenchDB",
            dependencies: [
                "SQLiteKV", "PluginKit", "PluginABI",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "benchmarks/BenchDB",
            swiftSettings: v5
        ),

        // Issuance throughput and latency of a running step-ca (see benchmarks/README.md).
        .executableTarget(
            name: "BenchSign",
            dependencies: [
                "StepCrypto", "StepConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "benchmarks/BenchSign",
            swiftSettings: v5
        ),

        // Go text/template with the sprig and step functions step-ca templates use. No CA knowledge.
        .target(name: "GoTemplate", swiftSettings: v5),

        // Render rate of step-ca's default leaf template (see benchmarks/README.md).
        .executableTarget(
            name: "BenchTemplate",
            dependencies: ["GoTemplate"],
            path: "benchmarks/BenchTemplate",
            swiftSettings: v5
        ),

        .testTarget(name: "GoTemplateTests", dependencies: ["GoTemplate"], exclude: ["golden"], swiftSettings: v5),
        .testTarget(name: "StepCryptoTests", dependencies: ["StepCrypto"], resources: [.copy("Vectors")], swiftSettings: v5),
        .testTarget(name: "NamePolicyTests", dependencies: ["NamePolicy"], swiftSettings: v5),
        .testTarget(name: "StepConfigTests", dependencies: ["StepConfig"], resources: [.copy("Configs")], swiftSettings: v5),
        .testTarget(
            name: "PluginABITests",
            dependencies: [
                "Host", "PluginABI", "MySQLKV", "PostgresKV", "PKCS11KMS", "PluginKit", "AWSKMS", "GCPKMS", "AzureKMS",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: v5),
        .testTarget(
            name: "HostTests",
            dependencies: [
                "Host", "StepCrypto", "StepConfig",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: v5),
    ]
)
