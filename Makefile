# The two commands: `make run` and `make test`. Both install what is missing first.
SWIFT ?= swift
CONFIGURATION ?= release
STATUSCTL = .build/$(CONFIGURATION)/statusctl

.PHONY: run test build bootstrap bench compare-thumbnails compare-video fixtures clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build -c $(CONFIGURATION) --product statusctl

# The main job on the embedded default: validate and render the fixture images under var/.
run: build
	@mkdir -p var/renditions
	$(STATUSCTL) version
	$(STATUSCTL) media render $(sort $(wildcard fixtures/images/jpeg-*.jpg fixtures/images/png-*.png)) --out var/renditions
	$(STATUSCTL) media render $(sort $(wildcard fixtures/video/mp4-h264-aac.mp4 fixtures/video/mp4-rotated-*.mp4 fixtures/video/webm-vp9-opus.webm fixtures/video/mkv-*.mkv fixtures/video/mp4-hevc.mp4 fixtures/video/gif-animation.gif fixtures/video/mp4-black-then-content.mp4)) --out var/renditions
	$(STATUSCTL) media render-text --text "$$(cat fixtures/text/article-ar.txt)" --background "#075E54" --font 3 --out var/renditions --name article-ar

test: bootstrap
	$(SWIFT) test

bench: bootstrap
	cd Benchmarks && $(SWIFT) package benchmark --target MediaBenchmarks

compare-thumbnails: bootstrap
	scripts/compare-thumbnails

compare-video: bootstrap
	scripts/compare-video

fixtures:
	scripts/make-fixtures
	scripts/make-video-fixtures

clean:
	rm -rf .build var
