import Foundation
import PluginABI
import Testing

/// The ABI as Swift imports it must match the layout `layout.c` asserts for C, and plugin
/// libraries must export nothing but their entry point.
@Suite("ABI layout")
struct ABILayoutTests {
    /// A struct size that `Sources/PluginABI/layout.c` pins with `_Static_assert`.
    struct Size: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let swift: Int
        let c: Int
    }

    @Test("struct sizes seen from Swift equal the header's static assertions", arguments: [
        Size(testDescription: "stepca_db_v1", swift: MemoryLayout<stepca_db_v1>.size, c: 88),
        Size(testDescription: "stepca_kms_v1", swift: MemoryLayout<stepca_kms_v1>.size, c: 96),
        Size(testDescription: "stepca_db_op", swift: MemoryLayout<stepca_db_op>.size, c: 88),
        Size(testDescription: "stepca_plugin_v1", swift: MemoryLayout<stepca_plugin_v1>.size, c: 56),
        Size(testDescription: "stepca_host_v1", swift: MemoryLayout<stepca_host_v1>.size, c: 24),
        Size(testDescription: "stepca_errbuf", swift: MemoryLayout<stepca_errbuf>.size, c: 24),
        Size(testDescription: "stepca_kms_key_request", swift: MemoryLayout<stepca_kms_key_request>.size, c: 40),
    ])
    func sizes(size: Size) {
        #expect(size.swift == size.c)
    }

    @Test("field offsets the host relies on")
    func offsets() {
        #expect(MemoryLayout<stepca_plugin_v1>.offset(of: \.kind) == 8)
        #expect(MemoryLayout<stepca_plugin_v1>.offset(of: \.types) == 40)
        #expect(MemoryLayout<stepca_plugin_v1>.offset(of: \.table) == 48)
        #expect(MemoryLayout<stepca_db_op>.offset(of: \.status) == 12)
        #expect(MemoryLayout<stepca_db_op>.offset(of: \.old_value) == 64)
        #expect(MemoryLayout<stepca_db_op>.offset(of: \.swapped) == 80)
        #expect(MemoryLayout<stepca_db_v1>.offset(of: \.open) == 8)
        #expect(MemoryLayout<stepca_db_v1>.offset(of: \.update) == 80)
        #expect(MemoryLayout<stepca_kms_v1>.offset(of: \.sign_async) == 88)
    }

    @Test("status codes and versions", arguments: [
        (STEPCA_OK, 0), (STEPCA_E_INVALID_ARG, 1), (STEPCA_E_NOT_FOUND, 2), (STEPCA_E_UNSUPPORTED, 3),
        (STEPCA_E_BUFFER_TOO_SMALL, 4), (STEPCA_E_AUTH, 5), (STEPCA_E_UNAVAILABLE, 6), (STEPCA_E_CONFLICT, 7),
        (STEPCA_E_INTERNAL, 8), (STEPCA_E_VENDOR_BASE, 0x10000), (STEPCA_ABI_MAJOR, 1),
    ] as [(Int32, Int32)])
    func constants(value: Int32, expected: Int32) {
        #expect(value == expected)
    }

    /// A plugin library and where it comes from.
    enum Library: String, Sendable, CaseIterable {
        case sqlite = "libstepca-db-sqlite.so"
        case memdb = "libstepca-db-memdb.so"

        func path() throws -> String {
            switch self {
            case .sqlite: return try TestEnvironment.swiftPluginDirectory() + "/" + rawValue
            case .memdb: return try CPlugins.memdbPath()
            }
        }
    }

    @Test("a plugin exports exactly one dynamic symbol, stepca_plugin_entry",
          .enabled(if: TestEnvironment.canInspectSymbols, "nm is not installed"),
          arguments: Library.allCases.filter { $0 != .memdb || TestEnvironment.canCompileC })
    func singleExport(library: Library) throws {
        let nm = try TestEnvironment.requireTool("nm")
        let result = try run(nm, ["-D", "--defined-only", try library.path()])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 1, "exported symbols:\n\(result.output)")
        #expect(lines.first?.split(separator: " ").last == "stepca_plugin_entry")
    }
}
