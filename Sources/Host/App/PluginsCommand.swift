import ArgumentParser

/// `step-ca plugins [--plugin-dir DIR]`: lists installed plugins, their versions and types.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the installed database and KMS plugins and the ca.json types they serve.")

    @Option(name: .long, help: "The directory holding libstepca-*.so plugins (or set $STEPCA_PLUGIN_DIR).")
    var pluginDir: String?

    func run() throws {
        let loader = PluginLoader(explicitDirectory: pluginDir)
        print("Plugin directories: \(loader.directories.joined(separator: ", "))")
        var found = 0
        var failed = false
        for kind in PluginKind.allCases {
            for path in loader.candidates(kind: kind) {
                do {
                    let plugin = try PluginLoader.open(path: path, kind: kind)
                    found += 1
                    let safety = plugin.threadSafe ? "thread-safe" : "serialised"
                    print("\(kind.rawValue)\t\(plugin.name)\t\(plugin.version)\tABI 1.\(plugin.abiMinor)\ttypes: \(plugin.types.joined(separator: ", "))\t\(safety)\t\(path)")
                } catch let error as PluginLoadError {
                    failed = true
                    print("\(kind.rawValue)\t(unusable)\t\(error.message)")
                }
            }
        }
        if found == 0 && !failed { print("No plugins installed.") }
        if failed { throw ExitCode(1) }
    }
}
