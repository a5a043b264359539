import Testing
@testable import StatusEngine

@Test func defaultsLoad() throws {
    #expect(EngineConfiguration.default.media.image.minSide == 16)
}
