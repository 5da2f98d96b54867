import Foundation

/// Builds C plugins for tests: the memdb example (once per test process) and small one-off
/// libraries compiled from source against the ABI header.
enum CPlugins {
    /// The directory holding `libstepca-db-memdb.so`, built with the example's Makefile.
    static func memdbDirectory() throws -> String {
        try memdbBuild.get()
    }

    /// The path of the built memdb plugin.
    static func memdbPath() throws -> String {
        try memdbDirectory() + "/libstepca-db-memdb.so"
    }

    /// The path of `libstepca-kms-filekms.so`, the plain-C key manager example.
    static func filekmsPath() throws -> String {
        try filekmsBuild.get() + "/libstepca-kms-filekms.so"
    }

    // Each example is built once per test process.
    private static let memdbBuild = Result { try buildExample("c-memdb") }
    private static let filekmsBuild = Result { try buildExample("c-filekms") }

    /// Builds `examples/<name>` with its Makefile into `.build/plugin-tests/` (make rebuilds only
    /// when the sources changed), never into the example's own folder; returns that directory.
    private static func buildExample(_ name: String) throws -> String {
        let make = try TestEnvironment.requireTool("make")
        _ = try TestEnvironment.requireTool("cc")
        let out = TestEnvironment.repositoryRoot.appendingPathComponent(".build/plugin-tests").path
        let example = TestEnvironment.repositoryRoot.appendingPathComponent("examples/\(name)").path
        let result = try run(make, ["-s", "-C", example, "OUT=\(out)"])
        guard result.status == 0 else {
            throw TestSetupError("make -C \(example) OUT=\(out) failed (\(result.status)):\n\(result.output)")
        }
        return out
    }

    /// Compiles one C file into `<directory>/<fileName>` as a shared library.
    @discardableResult
    static func compileLibrary(_ source: String, into directory: ScratchDirectory, fileName: String) throws -> String {
        let cc = try TestEnvironment.requireTool("cc")
        let sourcePath = directory.file(fileName + ".c")
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let output = directory.file(fileName)
        let result = try run(cc, ["-std=c11", "-shared", "-fPIC", "-Wall", "-Werror",
                                  "-I\(TestEnvironment.abiIncludeDirectory)", "-o", output, sourcePath])
        guard result.status == 0 else {
            throw TestSetupError("cc failed (\(result.status)) for \(fileName):\n\(result.output)")
        }
        return output
    }
}
