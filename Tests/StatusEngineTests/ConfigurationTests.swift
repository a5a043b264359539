import Foundation
import Testing
@testable import StatusEngine
@testable import StatusMedia

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("status-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct ConfigurationTests {
    @Test func checkedInDefaultsEqualBuiltInDefaults() throws {
        let loaded = try EngineConfiguration.load(path: repositoryRoot.appendingPathComponent("config/engine.json").path)
        #expect(loaded == .default)
        #expect(loaded.media.image.maxPixels == 33_177_600)
        #expect(loaded.media.image.maxBytes == 16 * 1024 * 1024)
        #expect(loaded.media.video.maxDurationSeconds == 60)
    }

    @Test func partialFileKeepsOtherDefaults() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("c.json")
        try Data(#"{"media": {"image": {"max_pixels": 1000}}}"#.utf8).write(to: file)
        let loaded = try EngineConfiguration.load(path: file.path)
        #expect(loaded.media.image.maxPixels == 1000)
        #expect(loaded.media.image.minSide == 16)
        #expect(loaded.media.renditions == RenditionSettings())
    }

    @Test func environmentVariableNamesTheFile() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("c.json")
        try Data(#"{"media": {"renditions": {"thumb": {"max_width": 100, "max_height": 100, "quality": 70}}}}"#.utf8).write(to: file)
        let loaded = try EngineConfiguration.load(environment: ["STATUS_ENGINE_CONFIG": file.path])
        #expect(loaded.media.renditions.thumb == RenditionSpec(maxWidth: 100, maxHeight: 100, quality: 70))
        // An explicit path wins over the environment.
        let other = dir.appendingPathComponent("d.json")
        try Data("{}".utf8).write(to: other)
        #expect(try EngineConfiguration.load(explicitPath: other.path, environment: ["STATUS_ENGINE_CONFIG": file.path]) == .default)
    }

    @Test(arguments: [
        (#"{"media": {"image": {"max_pixel": 5}}}"#, "media.image.max_pixel"),
        (#"{"medai": {}}"#, "medai"),
        (#"{"media": {"image": {"max_pixels": -5}}}"#, "must be 1…4294967296 pixels, not -5"),
        (#"{"media": {"video": {"max_fps": 1e308}}}"#, "max_fps"),
        (#"{"media": {"renditions": {"thumb": {"max_width": 9223372036854775807, "max_height": 10, "quality": 80}}}}"#, "max_width"),
        (#"{"media": {"text": {"max_graphemes": 0}}}"#, "max_graphemes"),
        (#"{"media": {"renditions": {"display": {"max_width": 10, "max_height": 10, "quality": 101}}}}"#, "quality"),
        (#"{"media": {"text": {"fonts": []}}}"#, "font"),
        ("{not json", "c.json"),
        // Numbers the loader used to take and the engine then overflowed on (found by
        // scripts/adversarial): each is refused at its key.
        (#"{"ads": {"hourly_traffic": [1e308, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}"#, "hourly_traffic"),
        (#"{"ads": {"min_gap": 9223372036854775807}}"#, "min_gap"),
        (#"{"ads": {"pacing_lead_s": 9223372036854775807}}"#, "pacing_lead_s"),
        (#"{"ads": {"lease_s": 9223372036854775807}}"#, "lease_s"),
        (#"{"ads": {"ctr_prior_strength": 1e308}}"#, "ctr_prior_strength"),
        (#"{"storage": {"busy_timeout_ms": 9223372036854775807}}"#, "busy_timeout_ms"),
        (#"{"storage": {"serving_busy_timeout_ms": 9223372036854775807}}"#, "serving_busy_timeout_ms"),
        (#"{"server": {"body_timeout_s": 0}}"#, "body_timeout_s"),
        (#"{"server": {"idle_timeout_s": 86400}}"#, "idle_timeout_s"),
    ])
    func badFilesAreRefusedWithTheirLocation(json: String, mentions: String) throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("c.json")
        try Data(json.utf8).write(to: file)
        do {
            _ = try EngineConfiguration.load(path: file.path)
            Issue.record("accepted \(json)")
        } catch let error as ConfigurationError {
            #expect("\(error)".contains(mentions), "\(error)")
        }
    }

    /// Every number of the checked-in file has a range: -1, 2⁶³−1 and 1e308 put in its place are
    /// each refused with the key named, whichever key it is (a key added without a range fails here).
    @Test func everyNumberOfTheFileHasARange() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("config/engine.json"), encoding: .utf8)
        let tree = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var leaves: [[String]] = []
        func walk(_ value: Any, _ path: [String]) {
            if let object = value as? [String: Any] {
                for (key, child) in object { walk(child, path + [key]) }
            } else if let array = value as? [Any], let first = array.first {
                if first is NSNumber { leaves.append(path + ["0"]) }
            } else if value is NSNumber {
                leaves.append(path)
            }
        }
        walk(tree, [])
        #expect(leaves.count >= 35, "\(leaves.count) numbers found")
        func replacing(_ value: Any, _ path: ArraySlice<String>) -> Any {
            guard let key = path.first else { return "@@value@@" }
            if var array = value as? [Any], let index = Int(key) {
                array[index] = replacing(array[index], path.dropFirst())
                return array
            }
            var object = value as! [String: Any]
            object[key] = replacing(object[key]!, path.dropFirst())
            return object
        }
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("c.json")
        for leaf in leaves {
            let shaped = try JSONSerialization.data(withJSONObject: replacing(tree, leaf[...]))
            let key = leaf.last == "0" ? leaf[leaf.count - 2] : leaf.last!
            for literal in ["-1", "9223372036854775807", "1e308"] {
                let json = String(decoding: shaped, as: UTF8.self).replacingOccurrences(of: "\"@@value@@\"", with: literal)
                try Data(json.utf8).write(to: file)
                do {
                    _ = try EngineConfiguration.load(path: file.path)
                    Issue.record("\(leaf.joined(separator: ".")) = \(literal) was accepted")
                } catch let error as ConfigurationError {
                    #expect("\(error)".contains(key), "\(leaf.joined(separator: ".")) = \(literal): \(error)")
                }
            }
        }
    }

    @Test func missingNamedFileIsAnError() {
        #expect(throws: ConfigurationError.self) {
            try EngineConfiguration.load(explicitPath: "/nonexistent/engine.json", environment: [:])
        }
    }
}

@Suite struct JSONLineTests {
    @Test func escapesAndKeepsKeyOrder() throws {
        let value = JSONValue.object([
            ("z", .string("a\"b\\c\nd\u{1}é😀")), ("a", .int(-3)), ("m", .bool(false)), ("n", .null),
            ("list", .array([.double(1.5), .object([])])),
        ])
        let text = value.serialized
        #expect(text == #"{"z":"a\"b\\c\nd\u0001é😀","a":-3,"m":false,"n":null,"list":[1.5,{}]}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(parsed?["z"] as? String == "a\"b\\c\nd\u{1}é😀")
    }

    @Test func controlCharactersAndLineSeparatorsAreEscapedWhereverTheyStand() throws {
        let raw = "\t\r\u{7F}x\u{85}\u{9F}\u{A0}\u{2028}y\u{2029}\u{2027}عربي\u{202E}"
        let text = JSONValue.array([.string(raw), .int(0), .int(7), .int(Int.min), .int(123_456)]).serialized
        #expect(text == #"["\t\r\u007fx\u0085\u009f\#u{A0}\u2028y\u2029\#u{2027}عربي\#u{202E}",0,7,-9223372036854775808,123456]"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any]
        #expect(parsed?.first as? String == raw)
        #expect(Timestamp(seconds: 0).iso8601 == "1970-01-01T00:00:00Z" && Timestamp(seconds: 253_402_300_799).iso8601 == "9999-12-31T23:59:59Z")
        #expect(Timestamp(seconds: 253_402_300_800).iso8601 == "10000-01-01T00:00:00Z")
    }
}
