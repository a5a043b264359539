import Testing
@testable import StatusMedia

@Test func fitNeverUpscales() {
    #expect(ImageProcessor.fit((100, 50), inside: (1080, 1920)) == (100, 50))
}
