import ArgumentParser
import Foundation
import StepConfig

/// `step-ca db`: tools that work on the CA's database.
struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Work with the CA's database.",
        subcommands: [DBExportCommand.self])
}

/// `step-ca db export [ca.json] [--format jsonl|csv] [filters] [--output FILE|-]`.
struct DBExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the issued X.509 certificates recorded in the CA's database.",
        discussion: """
            Reads the database named by ca.json's "db" through the same plugin the CA uses \
            (sqlite, postgresql, mysql or any installed DB plugin), so it works while the CA runs. \
            The CA key and its password are not needed. One record per certificate in \
            x509_certs; the provisioner comes from x509_certs_data, or from the certificate's \
            provisioner extension when there is no data record; revocation from \
            revoked_x509_certs. Records come in the database's order. Memory use does not grow \
            with the number of certificates: at most a few hundred certificates wait in memory \
            between the listing and the writer (for a plugin that cannot answer lookups while a \
            listing is in progress, the backlog goes to an unlinked temporary file in $TMPDIR).

            JSON lines (--format jsonl, the default): one object per line with these members, \
            always present, in this order (null when unknown):
              serial       decimal serial number (the database key)
              subject      subject DN, RFC 4514 (e.g. "CN=a.example,O=Example")
              sans         {"dns":[...],"ip":[...],"email":[...],"uri":[...]}
              notBefore    RFC 3339, UTC
              notAfter     RFC 3339, UTC
              status       "revoked", else "expired" (notAfter passed), else "active"
              provisioner  {"name","type","id","source"} or null; source "data"
                           (x509_certs_data) or "extension" (the certificate's; id null)
              revoked      true or false
              reasonCode   RFC 5280 reason code of the revocation
              reason       the revocation's free-text reason
              revokedAt    RFC 3339 time of the revocation
              error        why the stored certificate could not be read, else null

            CSV (--format csv): RFC 4180, a header row, CRLF line ends, columns serial, subject, \
            sans, notBefore, notAfter, status, provisionerName, provisionerType, provisionerId, \
            provisionerSource, revoked, reasonCode, reason, revokedAt, error; sans are \
            space-separated "kind:value" items ("dns:a.example ip:10.0.0.1"); unknown values are \
            empty. Values are written as stored (cells starting with = + - @ are not neutralised \
            for spreadsheets).

            Filters combine with AND. Time windows include their start and exclude their end \
            (times in RFC 3339, e.g. 2025-01-31T00:00:00Z, or a date, read as midnight UTC); \
            "issued" is notBefore (step-ca backdates it by one minute). A certificate that cannot \
            be parsed is always written, with "error" set, and counted on standard error.

            The output goes to standard output, or with --output FILE to a file (mode 0600) that \
            appears only once the export is complete. Exit status: 0 on success (also when some \
            certificates could not be parsed), 1 when the export fails, 64 on a usage error.
            """)

    @Argument(help: "The ca.json file (default: $STEPPATH/config/ca.json).")
    var config: String?

    @Option(name: .long, help: "Output format: jsonl or csv.")
    var format: ExportFormat = .jsonl

    @Option(name: .long, help: "Only certificates with this status: all, active, expired or revoked.")
    var status: ExportFilter.StatusChoice = .all

    @Option(name: .customLong("provisioner"),
            help: ArgumentHelp("Only certificates issued by this provisioner (repeatable: any of them).", valueName: "name"))
    var provisioners: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only certificates whose notAfter is at or after this time.", valueName: "time"),
            transform: Self.time)
    var notAfterFrom: Date?

    @Option(name: .long, help: ArgumentHelp("Only certificates whose notAfter is before this time.", valueName: "time"),
            transform: Self.time)
    var notAfterTo: Date?

    @Option(name: .long, help: ArgumentHelp("Only certificates whose notBefore is at or after this time.", valueName: "time"),
            transform: Self.time)
    var issuedFrom: Date?

    @Option(name: .long, help: ArgumentHelp("Only certificates whose notBefore is before this time.", valueName: "time"),
            transform: Self.time)
    var issuedTo: Date?

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output (- for standard output).",
                                                      valueName: "file"))
    var output: String?

    @Option(name: .long, help: "Accepted for symmetry with the CA command and ignored: the export does not open the CA key.")
    var passwordFile: String?

    @Option(name: .long, help: "The directory holding libstepca-*.so plugins (or set $STEPCA_PLUGIN_DIR).")
    var pluginDir: String?

    @Flag(name: .long, help: "Do not print the summary line on standard error.")
    var quiet = false

    static func time(_ text: String) throws -> Date {
        guard let date = ExportTime.parse(text) else {
            throw ValidationError("\"\(text)\" is not an RFC 3339 time; write e.g. 2025-01-31T00:00:00Z or 2025-01-31")
        }
        return date
    }

    func validate() throws {
        if let from = notAfterFrom, let to = notAfterTo, from >= to {
            throw ValidationError("--not-after-from must be before --not-after-to")
        }
        if let from = issuedFrom, let to = issuedTo, from >= to {
            throw ValidationError("--issued-from must be before --issued-to")
        }
        if provisioners.contains(where: \.isEmpty) { throw ValidationError("--provisioner needs a name") }
        if output?.isEmpty == true { throw ValidationError("--output needs a file name, or - for standard output") }
    }

    var filter: ExportFilter {
        ExportFilter(status: status, provisioners: Set(provisioners), notAfterFrom: notAfterFrom, notAfterTo: notAfterTo,
                     issuedFrom: issuedFrom, issuedTo: issuedTo)
    }

    func run() async throws {
        // Plugin and start-up information lines would only clutter standard error here;
        // warnings and errors still show.
        ConsoleLog.quiet = true
        do {
            try await export()
        } catch let error as StartupError {
            ConsoleLog.error(error.message)
            throw ExitCode(1)
        } catch let error as ExportError {
            ConsoleLog.error(error.message)
            throw ExitCode(1)
        } catch let error as DatabaseError {
            ConsoleLog.error("export failed: \(error.message)")
            throw ExitCode(1)
        }
    }

    private func export() async throws {
        let stepPath = StepPath.fromEnvironment()
        let configPath = config ?? (stepPath.directory as NSString).appendingPathComponent("config/ca.json")
        let caConfig = try CARuntime.loadConfig(configPath: configPath, stepPath: stepPath)
        guard let db = caConfig.db else {
            throw StartupError(.config, "\(caConfig.fileName): ca.json has no db: nothing to export")
        }
        let type = db.type.lowercased()
        if type == "sqlite" || type == "sqlite3", !FileManager.default.fileExists(atPath: db.dataSource) {
            // Opening would create an empty database file; say what is wrong instead.
            throw StartupError(.database, "\(caConfig.fileName): db: the SQLite database \(db.dataSource) does not exist: nothing to export")
        }
        let store = try await DatabaseOpener.open(db, configFile: caConfig.fileName, loader: PluginLoader(explicitDirectory: pluginDir),
                                                  enableAdmin: caConfig.authority.enableAdmin, createTables: false)
        do {
            let destination = output.flatMap { $0 == "-" ? nil : $0 }
            let sink = try destination.map(ExportOutput.file) ?? .standardOutput()
            let warnings = UnreadableWarnings()
            var exporter = CertificateExporter(store: store, filter: filter, format: format, now: Date())
            exporter.onUnreadable = { serial, reason in warnings.report(serial: serial, reason: reason) }
            let summary: ExportSummary
            do {
                summary = try await exporter.run(to: sink)
            } catch {
                sink.abandon()
                throw error
            }
            await store.close()
            warnings.finish()
            if !quiet {
                var line = "exported \(summary.written) of \(summary.scanned) certificates to \(sink.displayName)"
                if summary.unreadable > 0 { line += " (\(summary.unreadable) could not be parsed: written with an error)" }
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        } catch {
            await store.close()
            throw error
        }
    }
}

extension ExportFormat: ExpressibleByArgument {}
extension ExportFilter.StatusChoice: ExpressibleByArgument {}

/// Warns about unreadable certificates on standard error: the first few one by one, then a count.
private final class UnreadableWarnings: @unchecked Sendable {
    static let shown = 10
    private let lock = NSLock()
    private var count = 0

    func report(serial: String, reason: String) {
        lock.lock()
        count += 1
        let show = count <= Self.shown
        lock.unlock()
        if show { ConsoleLog.warning("x509_certs/\(serial): \(reason)") }
    }

    func finish() {
        lock.lock()
        let total = count
        lock.unlock()
        if total > Self.shown { ConsoleLog.warning("\(total - Self.shown) more certificates could not be parsed") }
    }
}
