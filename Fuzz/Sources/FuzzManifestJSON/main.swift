// libFuzzer target `manifest-json`: the ad manifest's JSON form, parsed and checked as
// `statusctl ads load` and `POST /v1/ads/manifests` do. Any document may be refused entry by
// entry; nothing may crash, and every entry that passes must keep the rules the checks promise.
import CFuzzDriver
import StatusAds
import StatusCore

let limits = AdManifestLimits.default
let loaded: [CampaignID: String?] = [CampaignID(rawValue: "c-loaded")!: "advertiser"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let manifest = AdManifest.parse(json: Array(UnsafeBufferPointer(start: data, count: size)), loaded: loaded, limits: limits)
    ManifestRules.check(manifest, loaded: loaded, limits: limits)
    return 0
}

enum ManifestRules {
    static func check(_ manifest: AdManifest, loaded: [CampaignID: String?], limits: AdManifestLimits) {
        let advertisers = Set(manifest.advertisers.map(\.id))
        precondition(advertisers.count == manifest.advertisers.count, "an advertiser accepted twice")
        let campaigns = Set(manifest.campaigns.map(\.id))
        precondition(campaigns.count == manifest.campaigns.count, "a campaign accepted twice")
        for campaign in manifest.campaigns {
            precondition(advertisers.contains(campaign.advertiser), "a campaign of a refused advertiser")
            precondition((1...limits.maxBidCPMMicros).contains(campaign.bidCPMMicros), "a bid outside the limits")
            precondition(campaign.dailyBudgetMicros > 0 && campaign.dailyBudgetMicros <= limits.maxBudgetMicros,
                         "a daily budget outside the limits")
            precondition(campaign.totalBudgetMicros > 0 && campaign.totalBudgetMicros <= limits.maxBudgetMicros,
                         "a total budget outside the limits")
            precondition(campaign.start < campaign.end, "a flight that ends before it starts")
            precondition(campaign.end.seconds - campaign.start.seconds <= limits.maxFlightSeconds, "a flight too long")
            for cap in campaign.frequencyCaps {
                precondition(limits.capWindow.contains(cap.windowSeconds), "a cap window outside the limits")
            }
        }
        var creatives = Set<CreativeID>()
        for creative in manifest.creatives {
            precondition(creatives.insert(creative.id).inserted, "a creative accepted twice")
            precondition(campaigns.contains(creative.campaign) || loaded[creative.campaign] != nil,
                         "a creative of a refused or unknown campaign")
            precondition(!creative.media.hasPrefix("/") && !creative.media.split(separator: "/").contains(".."),
                         "a media path outside the manifest's folder")
            precondition(manifest.locations[creative.id] != nil, "an accepted creative without its location")
        }
    }
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzManifestJSON_main")
public func fuzzManifestJSONMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
