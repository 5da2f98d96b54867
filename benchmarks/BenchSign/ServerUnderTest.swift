import Foundation

/// A `step-ca` process started on a fresh PKI (made by `step-ca init`; SQLite database unless
/// another `db` object is given), or, with `floorServer`, that benchmark binary's floor server on
/// the same PKI (see `FloorServer`), or, with `goStepCA`, smallstep's own step-ca on that PKI
/// (badger database unless another `db` object is given).
final class ServerUnderTest {
    let directory: URL
    let process = Process()
    private(set) var port = 0
    private let pipe = Pipe()
    private var output = Data()
    private let lock = NSLock()

    var configPath: String { directory.appendingPathComponent("steppath/config/ca.json").path }
    var rootPath: String { directory.appendingPathComponent("steppath/certs/root_ca.crt").path }
    var intermediatePath: String { directory.appendingPathComponent("steppath/certs/intermediate_ca.crt").path }
    var passwordPath: String { directory.appendingPathComponent("password.txt").path }

    init(binary: String, pluginDirectory: String, quiet: Bool = true, database: String? = nil, x509Template: String? = nil,
         floorServer: String? = nil, goStepCA: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepca-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "bench-password".write(toFile: directory.appendingPathComponent("password.txt").path, atomically: true, encoding: .utf8)
        let initProcess = Process()
        initProcess.executableURL = URL(fileURLWithPath: binary)
        initProcess.arguments = ["init", "--name", "Bench", "--dns", "localhost", "--address", "127.0.0.1:0",
                                 "--provisioner", "bench@example.com", "--password-file", passwordPath,
                                 "--steppath", directory.appendingPathComponent("steppath").path]
        initProcess.standardOutput = FileHandle.nullDevice
        try initProcess.run()
        initProcess.waitUntilExit()
        guard initProcess.terminationStatus == 0 else { throw BenchError("step-ca init failed") }
        if quiet {
            // No access log: measure the CA, not the terminal.
            var config = try String(contentsOfFile: configPath, encoding: .utf8)
            config = config.replacingOccurrences(of: "\"logger\": {\n\t\t\"format\": \"text\"\n\t},\n\t", with: "")
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        if database == "null" {
            try Self.editConfig(configPath) { $0.removeValue(forKey: "db") }
        } else if let database {
            guard let stanza = try? JSONSerialization.jsonObject(with: Data(database.utf8)) else {
                throw BenchError("--db is not a JSON object: \(database)")
            }
            try Self.editConfig(configPath) { $0["db"] = stanza }
        } else if goStepCA != nil {
            let badger = directory.appendingPathComponent("steppath/db-badger").path
            try Self.editConfig(configPath) { $0["db"] = ["type": "badgerv2", "dataSource": badger] }
        }
        if goStepCA != nil {
            // step-ca logs the configured address, not the port the kernel picked for port 0.
            let address = "127.0.0.1:\(try Self.freePort())"
            try Self.editConfig(configPath) { $0["address"] = address }
        }

        if let x509Template {
            try Self.editConfig(configPath) { config in
                guard var authority = config["authority"] as? [String: Any],
                      var provisioners = authority["provisioners"] as? [[String: Any]], !provisioners.isEmpty else {
                    throw BenchError("cannot read the provisioners of \(configPath)")
                }
                provisioners[0]["options"] = ["x509": ["template": x509Template]]
                authority["provisioners"] = provisioners
                config["authority"] = authority
            }
        }

        if let floorServer {
            process.executableURL = URL(fileURLWithPath: floorServer)
            process.arguments = ["--serve-floor", configPath, passwordPath]
        } else if let goStepCA {
            process.executableURL = URL(fileURLWithPath: goStepCA)
            process.arguments = [configPath, "--password-file", passwordPath]
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [configPath, "--password-file", passwordPath, "--plugin-dir", pluginDirectory]
        }
        process.standardOutput = pipe
        if quiet {
            process.standardError = pipe
        } else {
            // Start-up lines and the access log go to stderr: into a file, as a service manager
            // would keep them.
            FileManager.default.createFile(atPath: logPath, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logPath)
        }
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.output.append(data); self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = startupText(quiet: quiet)
            if let range = text.range(of: "Serving HTTPS on 127.0.0.1:"), let end = text[range.upperBound...].firstIndex(of: " "),
               let value = Int(text[range.upperBound..<end]) {
                port = value
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let text = startupText(quiet: quiet)
        stop()
        throw BenchError("step-ca did not start:\n\(text)")
    }

    /// Rewrites the JSON object in `path` with `change`.
    private static func editConfig(_ path: String, _ change: (inout [String: Any]) throws -> Void) throws {
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] else {
            throw BenchError("cannot read \(path)")
        }
        try change(&config)
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
                guard bind(descriptor, raw, length) == 0 else { return -1 }
                return getsockname(descriptor, raw, &length)
            }
        }
        guard status == 0 else { throw BenchError("cannot bind 127.0.0.1:0") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private var logPath: String { directory.appendingPathComponent("ca.log").path }

    /// What the server has printed so far (stdout and stderr; stderr is in the log file when not quiet).
    private func startupText(quiet: Bool) -> String {
        lock.lock(); var text = String(decoding: output, as: UTF8.self); lock.unlock()
        if !quiet, let log = try? String(contentsOfFile: logPath, encoding: .utf8) { text += log }
        return text
    }

    /// User plus system CPU seconds the server has used so far.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields after the command: state is index 0; utime is 11, stime is 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// User plus system CPU seconds this process (the client side of the benchmark) has used so far.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
