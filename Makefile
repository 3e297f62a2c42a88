# The two commands of the README, plus deployment. The scripts install what they need.
.PHONY: dev test bench deploy

dev:
	@bash scripts/dev.sh

test:
	@bash scripts/test.sh

# Benchmarks (release builds); figures and commands are recorded in BENCHMARKS.md.
bench:
	@bash scripts/bench.sh

# Build for Lambda (arm64) and deploy with samconfig.toml; the first time, run
# `.tools/venv/bin/sam deploy --guided` instead (see README).
deploy:
	@bash -c 'source scripts/lib.sh && ensure_tools && sam build && sam deploy'
