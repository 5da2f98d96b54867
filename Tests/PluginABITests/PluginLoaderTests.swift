import Foundation
import Testing
@testable import Host

/// Finding, opening and checking plugins, and what each failure tells the operator.
@Suite("Plugin loader")
struct PluginLoaderTests {
    /// A ca.json type with no plugin installed, and what the message must say.
    struct MissingCase: Sendable, CustomTestStringConvertible {
        let kind: PluginKind
        let type: String
        let file: String
        let remedy: String
        var testDescription: String { "\(kind.rawValue) type \(type)" }
    }

    @Test("a missing plugin names the type, the file, the directories and how to get it", arguments: [
        MissingCase(kind: .database, type: "postgresql", file: "libstepca-db-postgres.so",
                    remedy: "swift build -c release --product stepca-db-postgres"),
        MissingCase(kind: .database, type: "sqlite", file: "libstepca-db-sqlite.so",
                    remedy: "swift build -c release --product stepca-db-sqlite"),
        MissingCase(kind: .keyManagement, type: "pkcs11", file: "libstepca-kms-pkcs11.so",
                    remedy: "swift build -c release --product stepca-kms-pkcs11"),
        MissingCase(kind: .database, type: "cassandra", file: "libstepca-db-cassandra.so",
                    remedy: "install a plugin that serves this type"),
    ])
    func missingPlugin(missing: MissingCase) throws {
        let first = try ScratchDirectory(), second = try ScratchDirectory()
        defer { first.remove(); second.remove() }
        let loader = PluginLoader(directories: [first.path, second.path])
        let error = #expect(throws: PluginLoadError.self) { _ = try loader.load(kind: missing.kind, type: missing.type) }
        #expect(error?.code == .missing)
        let message = error?.message ?? ""
        #expect(message.contains("\(missing.kind.noun) type \"\(missing.type)\""), "\(message)")
        #expect(message.contains(missing.file), "\(message)")
        #expect(message.contains(first.path) && message.contains(second.path), "\(message)")
        #expect(message.contains(missing.remedy), "\(message)")
        #expect(message.contains("--plugin-dir"), "\(message)")
    }

    @Test("a file that is not a shared library fails with the dynamic loader's reason")
    func notASharedLibrary() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("libstepca-db-sqlite.so")
        try "this is not an ELF file\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: PluginLoadError.self) {
            _ = try PluginLoader(directories: [scratch.path]).load(kind: .database, type: "sqlite")
        }
        #expect(error?.code == .loadFailed)
        // The dynamic loader's own text for this file, as dlerror() reports it.
        #expect(dlopen(path, RTLD_NOW | RTLD_LOCAL) == nil)
        let reason = String(cString: dlerror())
        let message = error?.message ?? ""
        #expect(message.contains("cannot load plugin \(path)"), "\(message)")
        #expect(message.contains(reason), "expected dlerror text \"\(reason)\" in: \(message)")
    }

    @Test("a shared library without stepca_plugin_entry is refused", .enabled(if: TestEnvironment.canCompileC, "cc is not installed"))
    func missingEntrySymbol() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try CPlugins.compileLibrary("int stepca_plugin_entrypoint(void) { return 0; }\n",
                                               into: scratch, fileName: "libstepca-db-mysql.so")
        let error = #expect(throws: PluginLoadError.self) {
            _ = try PluginLoader(directories: [scratch.path]).load(kind: .database, type: "mysql")
        }
        #expect(error?.code == .notAPlugin)
        #expect(error?.message == "\(path) is not a step-ca plugin: it does not export stepca_plugin_entry")
    }

    /// A plugin compiled from C whose entry point or descriptor is wrong.
    struct BrokenPlugin: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let source: String
        let code: PluginLoadError.Code
        let fragments: [String]

        /// A plugin whose descriptor and table are filled in by `fields` and `slots`.
        static func descriptor(_ description: String, fields: String, slots: String = "", code: PluginLoadError.Code, _ fragments: [String]) -> BrokenPlugin {
            BrokenPlugin(testDescription: description, source: """
                #include "stepca_plugin.h"
                static int32_t db_open(const char *c, size_t n, stepca_db **out, stepca_errbuf *err) {
                    (void)c; (void)n; (void)out; stepca_errbuf_set(err, "no", 2); return STEPCA_E_INTERNAL; }
                static const stepca_db_v1 table = { .struct_size = sizeof(stepca_db_v1), .open = db_open, \(slots) };
                static const char *const types[] = {"postgresql", "postgres", NULL};
                static const stepca_plugin_v1 descriptor = { .name = "broken", .version = "9.9.9",
                    .description = "test plugin", .types = types, .table = &table, \(fields) };
                __attribute__((visibility("default")))
                int32_t stepca_plugin_entry(uint32_t major, const stepca_host_v1 *host, const stepca_plugin_v1 **out, stepca_errbuf *err) {
                    (void)major; (void)host; (void)err; *out = &descriptor; return STEPCA_OK;
                }
                """, code: code, fragments: fragments)
        }

        /// A plugin whose entry point fails with `status` and `message`.
        static func refusing(_ description: String, status: String, message: String, code: PluginLoadError.Code, _ fragments: [String]) -> BrokenPlugin {
            BrokenPlugin(testDescription: description, source: """
                #include "stepca_plugin.h"
                __attribute__((visibility("default")))
                int32_t stepca_plugin_entry(uint32_t major, const stepca_host_v1 *host, const stepca_plugin_v1 **out, stepca_errbuf *err) {
                    (void)major; (void)host; (void)out;
                    static const char text[] = "\(message)";
                    stepca_errbuf_set(err, text, sizeof text - 1);
                    return \(status);
                }
                """, code: code, fragments: fragments)
        }

        static let all: [BrokenPlugin] = [
            .descriptor("descriptor for ABI 2",
                        fields: ".struct_size = sizeof(stepca_plugin_v1), .abi_major = 2, .abi_minor = 3, .kind = STEPCA_KIND_DB",
                        code: .abiMismatch,
                        ["was built for plugin ABI 2.3", "this step-ca speaks ABI 1.0", "rebuild the plugin against this version's stepca_plugin.h"]),
            .refusing("entry returns STEPCA_E_UNSUPPORTED", status: "STEPCA_E_UNSUPPORTED",
                      message: "plugin broken implements plugin ABI 2, host uses 1", code: .abiMismatch,
                      ["refused to start", "plugin broken implements plugin ABI 2, host uses 1"]),
            .refusing("entry fails without a message", status: "STEPCA_E_INTERNAL", message: "", code: .loadFailed,
                      ["refused to start", "status 8"]),
            .descriptor("descriptor shorter than ABI 1",
                        fields: ".struct_size = 40, .abi_major = 1, .kind = STEPCA_KIND_DB", code: .badDescriptor,
                        ["descriptor of 40 bytes", "ABI 1 needs 56"]),
            .descriptor("database table without its required slots",
                        fields: ".struct_size = sizeof(stepca_plugin_v1), .abi_major = 1, .kind = STEPCA_KIND_DB", code: .badDescriptor,
                        ["the database table lacks required functions"]),
        ]
    }

    @Test("a plugin with a wrong entry point or descriptor is refused with the reason",
          .enabled(if: TestEnvironment.canCompileC, "cc is not installed"), arguments: BrokenPlugin.all)
    func brokenPlugin(plugin: BrokenPlugin) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try CPlugins.compileLibrary(plugin.source, into: scratch, fileName: "libstepca-db-postgres.so")
        let error = #expect(throws: PluginLoadError.self) {
            _ = try PluginLoader(directories: [scratch.path]).load(kind: .database, type: "postgresql")
        }
        #expect(error?.code == plugin.code, "\(error?.message ?? "")")
        let message = error?.message ?? ""
        #expect(message.contains(path), "the message names the file: \(message)")
        for fragment in plugin.fragments {
            #expect(message.contains(fragment), "expected \"\(fragment)\" in: \(message)")
        }
    }

    @Test("a third-party plugin that fails to load is reported, not called missing",
          .enabled(if: TestEnvironment.canCompileC, "cc is not installed"))
    func unconventionalPluginFailure() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let abi2 = BrokenPlugin.all[0].source.replacingOccurrences(of: #"{"postgresql", "postgres", NULL}"#, with: #"{"futuredb", NULL}"#)
        try CPlugins.compileLibrary(abi2, into: scratch, fileName: "libstepca-db-futuredb.so")
        let error = #expect(throws: PluginLoadError.self) {
            _ = try PluginLoader(directories: [scratch.path]).load(kind: .database, type: "futuredb")
        }
        #expect(error?.code == .abiMismatch, "\(error?.message ?? "")")
        #expect(error?.message.contains("libstepca-db-futuredb.so") == true)
    }

    @Test("a database plugin asked for as a KMS plugin is refused", .enabled(if: TestEnvironment.canCompileC, "cc and make are not installed"))
    func wrongKind() throws {
        let path = try CPlugins.memdbPath()
        let error = #expect(throws: PluginLoadError.self) { _ = try PluginLoader.open(path: path, kind: .keyManagement) }
        #expect(error?.code == .wrongKind)
        #expect(error?.message == "plugin \(path) is not a KMS plugin")
        // The refusal does not poison the cache: the same file still loads as a database plugin.
        #expect(try PluginLoader.open(path: path, kind: .database).name == "memdb")
        let again = #expect(throws: PluginLoadError.self) { _ = try PluginLoader.open(path: path, kind: .keyManagement) }
        #expect(again?.code == .wrongKind)
    }

    @Test("a plugin under a conventional name that does not serve the type is refused",
          .enabled(if: TestEnvironment.canCompileC, "cc and make are not installed"))
    func typeNotServed() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("libstepca-db-mysql.so")
        try FileManager.default.copyItem(atPath: try CPlugins.memdbPath(), toPath: path)
        let error = #expect(throws: PluginLoadError.self) {
            _ = try PluginLoader(directories: [scratch.path]).load(kind: .database, type: "mysql")
        }
        #expect(error?.code == .typeNotServed)
        #expect(error?.message == "database type \"mysql\": \(path) serves \"memdb\", not \"mysql\"")
    }

    @Test("a type without a conventional file name is found by scanning descriptors",
          .enabled(if: TestEnvironment.canCompileC, "cc and make are not installed"))
    func scanFindsThirdPartyType() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try FileManager.default.copyItem(atPath: try CPlugins.memdbPath(), toPath: scratch.file("libstepca-db-example.so"))
        let plugin = try PluginLoader(directories: [scratch.path]).load(kind: .database, type: "MemDB")
        #expect(plugin.name == "memdb")
        #expect(plugin.types == ["memdb"])
        #expect(plugin.threadSafe)
        #expect(plugin.path == scratch.file("libstepca-db-example.so"))
    }

    @Test("the built SQLite plugin describes itself")
    func sqliteDescriptor() throws {
        let directory = try TestEnvironment.swiftPluginDirectory()
        let plugin = try PluginLoader(directories: [directory]).load(kind: .database, type: "SQLite3")
        #expect(plugin.name == "sqlite")
        #expect(plugin.kind == .database)
        #expect(plugin.types == ["sqlite", "sqlite3"])
        #expect(plugin.threadSafe)
        #expect(plugin.abiMinor == 0)
        #expect(!plugin.version.isEmpty && !plugin.summary.isEmpty)
        #expect(try PluginLoader.open(path: plugin.path, kind: .database) === plugin, "a library is opened once")
    }

    @Test("candidates lists the libraries of one kind in every directory, in order")
    func candidates() throws {
        let first = try ScratchDirectory(), second = try ScratchDirectory()
        defer { first.remove(); second.remove() }
        for name in ["libstepca-db-b.so", "libstepca-db-a.so", "libstepca-kms-c.so", "libstepca-db-x.so.bak", "notes.txt", "libstepca-dbz.so"] {
            #expect(FileManager.default.createFile(atPath: first.file(name), contents: Data()))
        }
        #expect(FileManager.default.createFile(atPath: second.file("libstepca-db-0.so"), contents: Data()))
        let loader = PluginLoader(directories: [first.path, second.path, first.path + "/does-not-exist"])
        #expect(loader.candidates(kind: .database) == [first.file("libstepca-db-a.so"), first.file("libstepca-db-b.so"), second.file("libstepca-db-0.so")])
        #expect(loader.candidates(kind: .keyManagement) == [first.file("libstepca-kms-c.so")])
    }

    @Test("directories: --plugin-dir, then $STEPCA_PLUGIN_DIR, then next to the executable")
    func searchDirectories() {
        #expect(PluginLoader(explicitDirectory: "/opt/p", environment: ["STEPCA_PLUGIN_DIR": "/env"], executablePath: "/usr/bin/step-ca").directories == ["/opt/p"])
        #expect(PluginLoader(explicitDirectory: nil, environment: ["STEPCA_PLUGIN_DIR": "/env"], executablePath: "/usr/bin/step-ca").directories == ["/env"])
        #expect(PluginLoader(explicitDirectory: "", environment: [:], executablePath: "/usr/bin/step-ca").directories == ["/usr/lib/step-ca/plugins", "/usr/bin"])
    }
}
