// libFuzzer target `manifest-csv`: the ad manifest's CSV form (creatives of loaded campaigns),
// RFC 4180 quoting included. Any document may be refused line by line; nothing may crash, and
// every creative that passes must belong to a loaded campaign and keep its media path inside
// the manifest's folder.
import CFuzzDriver
import StatusAds
import StatusCore

let campaigns: [CampaignID: String?] = [
    CampaignID(rawValue: "c1")!: "advertiser", CampaignID(rawValue: "c2")!: nil,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let manifest = AdManifest.parse(csv: Array(UnsafeBufferPointer(start: data, count: size)), campaigns: campaigns)
    precondition(manifest.advertisers.isEmpty && manifest.campaigns.isEmpty, "the CSV form only carries creatives")
    var seen = Set<CreativeID>()
    for creative in manifest.creatives {
        precondition(seen.insert(creative.id).inserted, "a creative accepted twice")
        precondition(campaigns[creative.campaign] != nil, "a creative of an unknown campaign")
        precondition(!creative.media.hasPrefix("/") && !creative.media.split(separator: "/").contains(".."),
                     "a media path outside the manifest's folder")
    }
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzManifestCSV_main")
public func fuzzManifestCSVMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
