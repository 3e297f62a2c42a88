# The two commands of the README, plus deployment. The scripts install what they need.
.PHONY: dev dev-reset test bench build deploy

dev:
	@bash scripts/dev.sh

# `make dev` from an empty database: the local data in .local/dynamodb is deleted first.
dev-reset:
	@rm -rf .local/dynamodb
	@bash scripts/dev.sh

test:
	@bash scripts/test.sh

# Benchmarks (release builds); figures and commands are recorded in BENCHMARKS.md.
bench:
	@bash scripts/bench.sh

# Every function built for Lambda (`cargo lambda build --release`, arm64 where the target is
# installed, else x86_64), then `sam build`; bootstraps in target/lambda/<function>/.
build:
	@bash scripts/build.sh

# `make build`, then `sam deploy` with samconfig.toml. The first time, run
# `.tools/venv/bin/sam deploy --guided` after `make build` instead (see README).
deploy:
	@bash scripts/deploy.sh
