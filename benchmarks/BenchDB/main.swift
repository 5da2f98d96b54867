// stepca-bench-db: per-operation latency of the SQLite database plugin, called in-process,
// through the C ABI on the calling thread, and through the C ABI on a thread pool as the host
// calls it; then durable write throughput with concurrent writers (group commit).
//
//   swift build -c release && swift run -c release stepca-bench-db [plugin-directory]
//
// Cases run interleaved in short slices, so a change in disk latency during the run (fsync
// times vary a lot on shared or virtual disks) affects every case alike.

import Foundation
import NIOPosix
import PluginKit
import SQLiteKV

// MARK: Measurement

/// Nanoseconds on the monotonic clock.
@inline(__always)
func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// One measured case: a call timed once per operation, up to `operations` calls in `seconds`.
final class Case {
    let path: String
    let op: String
    let operations: Int
    let seconds: Double
    let body: (Int) async throws -> Void
    var latencies: [UInt64] = []
    var wall: UInt64 = 0

    init(_ path: String, _ op: String, operations: Int, seconds: Double, _ body: @escaping (Int) async throws -> Void) {
        self.path = path
        self.op = op
        self.operations = operations
        self.seconds = seconds
        self.body = body
    }

    /// Runs one slice of `1/slices` of the budget; the operation index continues across slices.
    func runSlice(of slices: Int) async throws {
        let limit = min(operations, latencies.count + (operations + slices - 1) / slices)
        let start = now(), deadline = start + UInt64(seconds / Double(slices) * 1e9)
        var first = true
        while latencies.count < limit && (first || now() < deadline) {
            let t0 = now()
            try await body(latencies.count)
            latencies.append(now() - t0)
            first = false
        }
        wall += now() - start
    }
}

struct Stats {
    let operations: Int
    let p50: Double  // microseconds
    let p99: Double
    let perSecond: Double

    init(latencies: [UInt64], wall: UInt64) {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
        }
        operations = sorted.count
        p50 = percentile(0.50)
        p99 = percentile(0.99)
        perSecond = wall == 0 ? 0 : Double(sorted.count) / (Double(wall) / 1e9)
    }
}

func row(_ columns: [String], _ widths: [Int]) {
    let cells = zip(columns, widths).map { text, width in
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
    print(cells.joined(separator: " ").trimmingCharacters(in: .whitespaces))
}

func number(_ value: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}

// MARK: Set-up

let pluginFile = "libstepca-db-sqlite.so"
let pluginDirectory: String = {
    if CommandLine.arguments.count > 1 { return CommandLine.arguments[1] }
    if let directory = ProcessInfo.processInfo.environment["STEPCA_PLUGIN_DIR"], !directory.isEmpty { return directory }
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent().path
}()
let pluginPath = pluginDirectory + "/" + pluginFile
guard FileManager.default.fileExists(atPath: pluginPath) else {
    print("\(pluginPath) not found: build it first with `swift build -c release --product stepca-db-sqlite`, or pass its directory")
    exit(1)
}

let scratchParent = ProcessInfo.processInfo.environment["STEPCA_BENCH_DIR"] ?? NSTemporaryDirectory()
var template = Array((scratchParent + "/stepca-bench-XXXXXX").utf8CString)
guard let created = mkdtemp(&template) else { fatalError("mkdtemp in \(scratchParent) failed") }
let scratch = String(cString: created)

func config(_ file: String) -> String {
    #"{"type":"sqlite","dataSource":"\#(scratch)/\#(file)"}"#
}

let value = [UInt8](repeating: 0x5a, count: 256)
let keys = (0..<100).map { Array("key-\($0)".utf8) }
let table = Array("x509_certs".utf8)

/// A 256-byte value that differs on every write: SQLite skips rewriting an identical value, and
/// such a commit would not reach the disk.
@Sendable func payload(_ n: Int) -> [UInt8] {
    var bytes = value
    withUnsafeBytes(of: UInt64(n).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
    return bytes
}

@Sendable func counter(_ n: Int) -> [UInt8] { n < 0 ? [] : Array(String(n).utf8) }

print("SQLite plugin benchmark: \(pluginPath)")
print("database files in \(scratch); \(ProcessInfo.processInfo.activeProcessorCount) CPUs; \(value.count)-byte values; writes are durable (WAL, synchronous=FULL)")
print("")

// MARK: The three call paths

let store = try SQLiteStore.open(configJSON: config("direct.db"), host: .detached)
try store.createTable(table)
_ = try store.update(keys.map { .set(table: table, key: $0, value: value) })

let plugin = try ABIDatabase(path: pluginPath, configJSON: config("abi.db"), table: "x509_certs")
for key in keys { try plugin.set(key, value) }

let pool = NIOThreadPool(numberOfThreads: 32)
pool.start()

let reads = (operations: 20_000, seconds: 2.0)
let writes = (operations: 2_000, seconds: 3.0)
let direct = "in-process SQLiteStore", sameThread = "C ABI, calling thread", hop = "C ABI, NIOThreadPool.runIfActive"
let cases = [
    Case(direct, "get", operations: reads.operations, seconds: reads.seconds) { _ = try store.get(table: table, key: keys[$0 % keys.count]) },
    Case(sameThread, "get", operations: reads.operations, seconds: reads.seconds) { _ = try plugin.get(keys[$0 % keys.count]) },
    Case(hop, "get", operations: reads.operations, seconds: reads.seconds) { n in
        _ = try await pool.runIfActive { try plugin.get(keys[n % keys.count]) }
    },
    Case(direct, "set", operations: writes.operations, seconds: writes.seconds) {
        try store.set(table: table, key: keys[$0 % keys.count], value: payload($0))
    },
    Case(sameThread, "set", operations: writes.operations, seconds: writes.seconds) { try plugin.set(keys[$0 % keys.count], payload($0)) },
    Case(hop, "set", operations: writes.operations, seconds: writes.seconds) { n in
        try await pool.runIfActive { try plugin.set(keys[n % keys.count], payload(n)) }
    },
    Case(direct, "cas", operations: writes.operations, seconds: writes.seconds) { n in
        let result = try store.compareAndSwap(table: table, key: Array("counter".utf8), old: counter(n - 1), new: counter(n))
        precondition(result.swapped)
    },
    Case(sameThread, "cas", operations: writes.operations, seconds: writes.seconds) { n in
        let result = try plugin.compareAndSwap(Array("counter-1".utf8), old: counter(n - 1), new: counter(n))
        precondition(result.swapped)
    },
    Case(hop, "cas", operations: writes.operations, seconds: writes.seconds) { n in
        let swapped = try await pool.runIfActive {
            try plugin.compareAndSwap(Array("counter-2".utf8), old: counter(n - 1), new: counter(n)).swapped
        }
        precondition(swapped)
    },
]

let slices = 10
for _ in 0..<slices {
    for measured in cases { try await measured.runSlice(of: slices) }
}

let widths = [34, 4, 7, 9, 9, 10]
row(["path", "op", "ops", "p50 µs", "p99 µs", "ops/s"], widths)
for measured in cases {
    let stats = Stats(latencies: measured.latencies, wall: measured.wall)
    row([measured.path, measured.op, "\(stats.operations)", number(stats.p50), number(stats.p99), number(stats.perSecond, 0)], widths)
}
store.close()

// MARK: Concurrent durable writers through the pool

/// Runs `writers` tasks that each set their own keys through the pool for `seconds`.
func concurrentSets(writers: Int, seconds: Double, round: Int) async throws -> [UInt64] {
    let deadline = now() + UInt64(seconds * 1e9)
    return try await withThrowingTaskGroup(of: [UInt64].self) { group in
        for writer in 0..<writers {
            group.addTask {
                var latencies: [UInt64] = []
                var index = 0
                while index < 3_000 && (index == 0 || now() < deadline) {
                    let key = Array("w\(writer)-\(index % 200)".utf8), bytes = payload(round << 32 | index)
                    let t0 = now()
                    try await pool.runIfActive { try plugin.set(key, bytes) }
                    latencies.append(now() - t0)
                    index += 1
                }
                return latencies
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
}

let writerCounts = [1, 8, 32]
var concurrent: [Int: (latencies: [UInt64], wall: UInt64)] = [:]
for round in 0..<3 {
    for writers in writerCounts {
        let start = now()
        let latencies = try await concurrentSets(writers: writers, seconds: 1, round: round)
        concurrent[writers, default: ([], 0)].latencies += latencies
        concurrent[writers, default: ([], 0)].wall += now() - start
    }
}

print("")
print("Concurrent set through NIOThreadPool (32 threads): one SQLite transaction commits every waiting writer")
let concurrencyWidths = [8, 7, 9, 9, 10]
row(["writers", "ops", "p50 µs", "p99 µs", "ops/s"], concurrencyWidths)
for writers in writerCounts {
    let stats = Stats(latencies: concurrent[writers]!.latencies, wall: concurrent[writers]!.wall)
    row(["\(writers)", "\(stats.operations)", number(stats.p50), number(stats.p99), number(stats.perSecond, 0)], concurrencyWidths)
}

try await pool.shutdownGracefully()
plugin.close()
try? FileManager.default.removeItem(atPath: scratch)
