import Foundation
import StatusCore
import StatusMedia
import StatusStore

/// A configuration file that could not be used.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file involved.
    public var path: String
    /// What is wrong with it.
    public var message: String

    public var description: String { "configuration \(path): \(message)" }
}

extension EngineConfiguration {
    /// The environment variable naming a configuration file.
    public static let environmentVariable = "STATUS_ENGINE_CONFIG"
    /// The file used when neither `--config` nor the environment names one, if it exists.
    public static let defaultPath = "config/engine.json"

    /// Loads the configuration: `explicitPath` if given, else the file named by
    /// `STATUS_ENGINE_CONFIG`, else `config/engine.json` under the current directory when it
    /// exists, else the built-in defaults. A named file that is missing is an error.
    /// Keys left out of a file keep their defaults; unknown keys are errors.
    public static func load(
        explicitPath: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> EngineConfiguration {
        if let path = explicitPath ?? environment[environmentVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try load(path: path)
        }
        if FileManager.default.fileExists(atPath: defaultPath) {
            return try load(path: defaultPath)
        }
        return .default
    }

    /// Loads one JSON configuration file.
    public static func load(path: String) throws -> EngineConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(path: path, message: "cannot be read (\(error.localizedDescription))")
        }
        do {
            return try JSONDecoder().decode(EngineConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError(path: path, message: Self.describe(error))
        } catch {
            throw ConfigurationError(path: path, message: "\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "top level" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let c): return "\(at(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "\(at(c.codingPath + [key])): missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(at(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    enum CodingKeys: String, CodingKey { case media, storage, ads, server }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["media", "storage", "ads", "server"])
        let c = try decoder.container(keyedBy: CodingKeys.self)
        media = try c.decodeIfPresent(MediaConfiguration.self, forKey: .media) ?? .default
        storage = try c.decodeIfPresent(StoreConfiguration.self, forKey: .storage) ?? .default
        ads = try c.decodeIfPresent(AdsConfiguration.self, forKey: .ads) ?? .default
        server = try c.decodeIfPresent(ServerSettings.self, forKey: .server) ?? .default
    }
}
