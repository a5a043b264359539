import StatusMedia

/// Facts about this build of the engine.
public enum StatusEngineInfo {
    /// Versions of the linked C media libraries.
    public static var libraryVersions: [String: String] { LinkedLibraries.versions }
}
