import Foundation
import Testing
@testable import Host

/// The database plugin contract (stepca_db_v1 in stepca_plugin.h), checked slot by slot against
/// every backend in ``DBBackend/all``: plugins through dlopen and the C ABI, and the host's
/// in-memory store as the reference.
@Suite("DB conformance")
struct DBConformanceTests {
    @Test("the C memdb example builds and joins the backends",
          .enabled(if: TestEnvironment.canCompileC, "cc or make is not installed: the memdb plugin is left out of the DB suites"))
    func memdbIsABackend() throws {
        #expect(DBBackend.all.contains { $0.source == .memdbExample })
        let plugin = try PluginLoader(directories: [CPlugins.memdbDirectory()]).load(kind: .database, type: "memdb")
        #expect(plugin.name == "memdb")
        #expect(plugin.threadSafe)
    }

    @Test("create_table is idempotent; delete_table removes entries and reports a missing table", arguments: DBBackend.all)
    func tables(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")
            try await db.set("t", b("k"), b("v"))
            try await db.createTable("t")
            #expect(try await db.get("t", b("k")) == b("v"), "a second create_table must keep the entries")

            try await db.deleteTable("t")
            #expect(try await db.get("t", b("k")) == nil)
            await expectDatabaseError(.notFound, from: opened) { try await db.deleteTable("t") }
            await expectDatabaseError(.notFound, from: opened) { try await db.deleteTable("never-created") }

            try await db.createTable("t")
            #expect(try await db.get("t", b("k")) == nil, "a re-created table starts empty")
            #expect(try await db.list("t").isEmpty)
        }
    }

    @Test("get, set, delete and list", arguments: DBBackend.all)
    func basicOperations(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("certs")
            try await db.createTable("other")
            #expect(try await db.get("certs", b("missing")) == nil)

            for index in 0..<20 { try await db.set("certs", b("k\(index)"), b("value \(index)")) }
            try await db.set("other", b("k0"), b("elsewhere"))
            try await db.set("certs", b("k3"), b("replaced"))
            #expect(try await db.get("certs", b("k3")) == b("replaced"))
            #expect(try await db.get("certs", b("k4")) == b("value 4"))
            #expect(try await db.get("other", b("k0")) == b("elsewhere"))

            try await db.delete("certs", b("k5"))
            try await db.delete("certs", b("k5"))
            try await db.delete("certs", b("never-set"))
            #expect(try await db.get("certs", b("k5")) == nil)

            var expected: [[UInt8]: [UInt8]] = [:]
            for index in 0..<20 where index != 5 { expected[b("k\(index)")] = b("value \(index)") }
            expected[b("k3")] = b("replaced")
            let listing = try await db.list("certs")
            #expect(listing.count == 19)
            #expect(entries(listing) == expected)
            #expect(entries(try await db.list("other")) == [b("k0"): b("elsewhere")])
        }
    }

    @Test("a missing table: get finds nothing, writes and listings report not-found", arguments: DBBackend.all)
    func missingTable(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("present")
            #expect(try await db.get("absent", b("k")) == nil)
            await expectDatabaseError(.notFound, from: opened) { try await db.set("absent", b("k"), b("v")) }
            await expectDatabaseError(.notFound, from: opened) { try await db.delete("absent", b("k")) }
            await expectDatabaseError(.notFound, from: opened) { _ = try await db.list("absent") }
            await expectDatabaseError(.notFound, from: opened) {
                _ = try await db.compareAndSwap("absent", b("k"), old: [], new: b("v"))
            }
        }
    }

    @Test("empty values are stored and compare equal to absent values", arguments: DBBackend.all)
    func emptyValues(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")
            try await db.set("t", b("e"), [])
            #expect((try await db.get("t", b("e")) ?? []) == [])
            try await db.set("t", b("v"), b("something"))
            try await db.set("t", b("v"), [])
            #expect((try await db.get("t", b("v")) ?? []) == [])

            let swap = try await db.compareAndSwap("t", b("e"), old: [], new: b("filled"))
            #expect(swap == SwapResult(swapped: true, current: []))
            #expect(try await db.get("t", b("e")) == b("filled"))

            let results = try await db.update([.set(table: "t", key: b("u"), value: []), .get(table: "t", key: b("u"))])
            #expect(results == [.done, .value([])])
        }
    }

    @Test("keys are binary: every byte value, NUL inside, and prefixes of one another", arguments: DBBackend.all)
    func binaryKeys(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("bin")
            var expected: [[UInt8]: [UInt8]] = [:]
            for byte in 0...255 {
                let key = [UInt8(byte)]
                expected[key] = [UInt8(byte), 0, UInt8(255 - byte)]
            }
            for key in [[0, 0], [0, 0, 0], [0x41, 0x00, 0x42], [0x41, 0x00, 0x43], [0xff, 0x00], Array(0...254)] as [[UInt8]] {
                expected[key] = key.reversed() + [0]
            }
            for (key, value) in expected { try await db.set("bin", key, value) }
            for (key, value) in expected {
                #expect(try await db.get("bin", key) == value, "key \(key)")
            }
            #expect(entries(try await db.list("bin")) == expected)

            try await db.delete("bin", [0])
            #expect(try await db.get("bin", [0]) == nil)
            #expect(try await db.get("bin", [0, 0]) == expected[[0, 0]], "deleting [0] must not touch [0, 0]")
            #expect(try await db.list("bin").count == expected.count - 1)
        }
    }

    @Test("keys of 255 bytes are accepted and keys of 256 bytes are invalid", arguments: DBBackend.all)
    func keyLengthLimit(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")
            let longest = [UInt8](repeating: 0x61, count: 255)
            try await db.set("t", longest, b("ok"))
            #expect(try await db.get("t", longest) == b("ok"))
            #expect(try await db.compareAndSwap("t", longest, old: b("ok"), new: b("ok2")).swapped)

            let tooLong = [UInt8](repeating: 0x61, count: 256)
            await expectDatabaseError(.invalid, from: opened) { try await db.set("t", tooLong, b("no")) }
            await expectDatabaseError(.invalid, from: opened) {
                _ = try await db.compareAndSwap("t", tooLong, old: [], new: b("no"))
            }
            let error = await expectDatabaseError(.invalid, from: opened) {
                _ = try await db.update([.set(table: "t", key: b("fine"), value: b("x")),
                                         .set(table: "t", key: tooLong, value: b("no"))])
            }
            #expect(error?.operationIndex == 1)
            #expect(try await db.get("t", b("fine")) == nil)
            await expectDatabaseError(.invalid, from: opened) { _ = try await db.get("t", tooLong) }
            #expect(try await db.list("t").allSatisfy { $0.key.count <= 255 })

        }
    }

    @Test("values over the schema's limit are refused, never truncated", arguments: DBBackend.all.filter { $0.maxValueSize < .max })
    func oversizedValues(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("big")
            let fits = randomBytes(backend.maxValueSize)
            try await db.set("big", b("fits"), fits)
            #expect(try await db.get("big", b("fits")) == fits)
            await expectDatabaseError(.invalid, from: opened) {
                try await db.set("big", b("over"), randomBytes(backend.maxValueSize + 1))
            }
            #expect(try await db.get("big", b("over")) == nil, "a refused value must not be stored in part")
            await expectDatabaseError(.invalid, from: opened) {
                _ = try await db.compareAndSwap("big", b("fits"), old: fits, new: randomBytes(backend.maxValueSize + 1))
            }
            #expect(try await db.get("big", b("fits")) == fits)
        }
    }

    @Test("large values round-trip", arguments: DBBackend.all, [1 << 20, 16 << 20])
    func largeValues(backend: DBBackend, size: Int) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("big")
            let size = min(size, backend.maxValueSize)
            let value = randomBytes(size)
            try await db.set("big", b("blob"), value)
            #expect(try await db.get("big", b("blob")) == value)
            #expect(try await db.list("big").first?.value == value)

            let mismatch = try await db.compareAndSwap("big", b("blob"), old: b("stale"), new: [])
            #expect(!mismatch.swapped)
            #expect(mismatch.current == value)
            let replacement = Array(value.reversed())
            #expect(try await db.compareAndSwap("big", b("blob"), old: value, new: replacement).swapped)
            #expect(try await db.update([.get(table: "big", key: b("blob"))]) == [.value(replacement)])
        }
    }

    @Test("compare-and-swap: absent equals empty, a mismatch returns the current value, swapping to empty", arguments: DBBackend.all)
    func compareAndSwap(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")

            #expect(try await db.compareAndSwap("t", b("k"), old: [], new: b("one")) == SwapResult(swapped: true, current: []))
            #expect(try await db.get("t", b("k")) == b("one"))

            #expect(try await db.compareAndSwap("t", b("k"), old: [], new: b("two")) == SwapResult(swapped: false, current: b("one")))
            #expect(try await db.compareAndSwap("t", b("k"), old: b("on"), new: b("two")) == SwapResult(swapped: false, current: b("one")))
            #expect(try await db.get("t", b("k")) == b("one"), "a failed swap must not write")

            #expect(try await db.compareAndSwap("t", b("k"), old: b("one"), new: b("two")) == SwapResult(swapped: true, current: []))
            #expect(try await db.get("t", b("k")) == b("two"))

            #expect(try await db.compareAndSwap("t", b("k"), old: b("two"), new: []).swapped)
            #expect((try await db.get("t", b("k")) ?? []) == [])
            #expect(try await db.compareAndSwap("t", b("k"), old: [], new: b("three")).swapped, "an empty value equals absent")

            #expect(try await db.compareAndSwap("t", b("absent"), old: b("x"), new: b("y")) == SwapResult(swapped: false, current: []))
            #expect(try await db.get("t", b("absent")) == nil)
        }
    }

    @Test("error messages name the plugin and the object", arguments: DBBackend.all)
    func errorMessages(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            if let pluginName = opened.pluginName {
                #expect(db.name.hasPrefix("\(pluginName) plugin ("), "\(db.name)")
            }
            try await db.createTable("t")
            let dropped = await expectDatabaseError(.notFound, from: opened) { try await db.deleteTable("no_such_bucket") }
            #expect(dropped?.message.contains("no_such_bucket") == true, "\(dropped?.message ?? "")")
            #expect(dropped?.description == dropped?.message)

            let write = await expectDatabaseError(.notFound, from: opened) { try await db.set("missing_bucket", b("k"), b("v")) }
            #expect(write?.message.contains("missing_bucket") == true, "\(write?.message ?? "")")

            let update = await expectDatabaseError(.notFound, from: opened) {
                _ = try await db.update([.set(table: "t", key: b("a"), value: b("1")), .get(table: "t", key: b("nope"))])
            }
            #expect(update?.operationIndex == 1)
            if opened.pluginName != nil {
                #expect(update?.message.contains("operation 1") == true, "the ABI says the message names the op index: \(update?.message ?? "")")
            }
        }
    }
}
