# The main commands: `make run` (the HTTP API on a demo population), `make demo` (the command-line
# walk-through) and `make test`. All install what is missing first.
SWIFT ?= swift
CONFIGURATION ?= release
STATUSCTL = .build/$(CONFIGURATION)/statusctl

.PHONY: run demo load-feed test fuzz sanitize api-fuzz soak faults adversarial build bootstrap bench bench-store bench-feed bench-ads compare-thumbnails compare-video fixtures clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build -c $(CONFIGURATION) --product statusctl

# The HTTP API on a demo population (scripts/serve-demo): on first start seeds users u1…u2000
# with posts of the last 24 hours and loads the demo ad manifest into var/ (STATUS_DATA overrides),
# makes dev tokens once (var/dev-tokens.json), then serves on 127.0.0.1:8080 (STATUS_PORT
# overrides) and prints the tokens, example curl commands and an ads preview URL. Ctrl-C stops it.
run: build
	scripts/serve-demo $(STATUSCTL)

# The command-line walk-through on the embedded default (SQLite and blob files under var/): render
# the fixture media, import the demo users, publish a text, a photo and a video post, load the demo
# ad manifest, show a contact's feed, simulate a day of ad requests (var/ads-simulation.svg), purge
# what has expired, and check the files against the database.
demo: build
	@mkdir -p var/renditions
	$(STATUSCTL) version
	$(STATUSCTL) media render $(sort $(wildcard fixtures/images/jpeg-*.jpg fixtures/images/png-*.png)) --out var/renditions
	$(STATUSCTL) media render $(sort $(wildcard fixtures/video/mp4-h264-aac.mp4 fixtures/video/mp4-rotated-*.mp4 fixtures/video/webm-vp9-opus.webm fixtures/video/mkv-*.mkv fixtures/video/mp4-hevc.mp4 fixtures/video/gif-animation.gif fixtures/video/mp4-black-then-content.mp4)) --out var/renditions
	$(STATUSCTL) media render-text --text "$$(cat fixtures/text/article-ar.txt)" --background "#075E54" --font 3 --out var/renditions --name article-ar
	$(STATUSCTL) users import fixtures/users/demo.jsonl --data var
	$(STATUSCTL) post --author amal --text "$$(cat fixtures/text/article-ar.txt)" --background "#075E54" --font 3 --data var
	$(STATUSCTL) post --author badr --media fixtures/images/jpeg-orientation-6.jpg --caption "From the roof" --data var
	$(STATUSCTL) post --author dina --media fixtures/video/mp4-h264-aac.mp4 --data var
	$(STATUSCTL) ads load fixtures/ads/demo.json --data var
	$(STATUSCTL) feed --viewer chen --data var --format table
	$(STATUSCTL) ads simulate --requests 20000 --data var --out var/ads-simulation.svg --format table
	$(STATUSCTL) purge --data var
	$(STATUSCTL) reconcile --data var

# The test suite, then short versions of the reliability checks (docs/RELIABILITY.md): every
# libFuzzer target for 5 s on its seed corpus and kept crash inputs (builds Fuzz/ with
# -sanitize=fuzzer,address into .build-fuzz), and Schemathesis with 5 examples per operation
# against the debug statusctl the tests built (installs Schemathesis into a virtualenv under
# /tmp/status-api-fuzz).
test: bootstrap
	$(SWIFT) test
	scripts/fuzz --smoke 5
	scripts/api-fuzz --quick .build/debug/statusctl

# The longer reliability runs, one at a time (docs/RELIABILITY.md has their figures):
#   make fuzz FUZZ_TARGET=image FUZZ_SECONDS=600    libFuzzer with ASan on one target (scripts/fuzz --list)
#   make sanitize                          swift test under ASan, then TSan (own build folders)
#   make api-fuzz                          Schemathesis, 50 examples per operation
#   make soak / faults / adversarial       10 min mixed load, fault injection, hostile inputs
FUZZ_TARGET ?= image
FUZZ_SECONDS ?= 600
fuzz: bootstrap
	scripts/fuzz $(FUZZ_TARGET) $(FUZZ_SECONDS)

sanitize: bootstrap
	scripts/sanitize all

api-fuzz: build
	scripts/api-fuzz $(STATUSCTL)

soak: build
	scripts/soak $(STATUSCTL)

faults: build
	scripts/faults $(STATUSCTL)

adversarial: build
	scripts/adversarial $(STATUSCTL)

bench: bootstrap
	cd Benchmarks && $(SWIFT) package benchmark --target MediaBenchmarks

# Publish rates, and the purge of 100k expired image posts with a concurrent reader (seeds about
# 5 GB of files under the temporary directory, or STORE_BENCH_DIR; about 10 minutes).
bench-store: bootstrap
	cd Benchmarks && $(SWIFT) package benchmark --target StoreBenchmarks

# The per-viewer feed on 10,000 seeded users (seeded once under the temporary directory or
# FEED_BENCH_DIR, then reused), beside the raw SQL floor, and its growth with contacts and posts.
bench-feed: bootstrap
	cd Benchmarks && $(SWIFT) package benchmark --target FeedBenchmarks

# Ad selection for one feed against 100,000 campaigns: the targeting index beside a full scan.
bench-ads: bootstrap
	cd Benchmarks && $(SWIFT) package benchmark --target AdsBenchmarks

# HTTP API load (scripts/load-feed): wrk -t2 -c64 -d30s on random viewers' feeds of 10,000 seeded
# users (seeded under /tmp/status-load, or LOAD_DIR, and reused for 3 hours), at warning then info
# log level, beside nginx serving a static JSON file of the same size; installs wrk and nginx if
# missing. About 3 minutes.
load-feed: bootstrap
	$(SWIFT) build -c release --product statusctl
	scripts/load-feed .build/release/statusctl

compare-thumbnails: bootstrap
	scripts/compare-thumbnails

compare-video: bootstrap
	scripts/compare-video

fixtures:
	scripts/make-fixtures
	scripts/make-video-fixtures

clean:
	rm -rf .build var
