#!/usr/bin/env bash
# GPU runs of medcot (see nbs/benchmark.md). From the repo root on a CUDA machine:
#   bash bench/gpu.sh tests     # every notebook with its `#| cuda` cells (nbdev's selection), outputs kept
#   bash bench/gpu.sh bench     # peer recipes (../shared/anchors or .bench/anchors) and medcot's presets, 1.5B shape
#   bash bench/gpu.sh bench7b   # the 7B shape with the t4 preset
#   bash bench/gpu.sh ddp       # 1 GPU against all GPUs of the host (torchrun), same per-GPU batch
#   bash bench/gpu.sh grpo      # GRPO rollouts/s, generated tok/s, update time, peak memory (a100 and t4 presets, both backends)
#   bash bench/gpu.sh long      # long reasoning traces (8k, 16k tokens): tok/s and peak memory; Unsloth's fused loss on and off
# Where medcot[gpu] is pip-installed nothing else is needed; on the lent device the wheels in .whl/ are installed first.
set -uo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 MPLBACKEND=Agg TOKENIZERS_PARALLELISM=false HF_HUB_DISABLE_PROGRESS_BARS=1 TRANSFORMERS_VERBOSITY=error
OUT=${OUT:-/tmp/medcot-out}; mkdir -p "$OUT"
if [ -d .whl ] && [ ! -f /tmp/site/.medcot ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && touch /tmp/site/.medcot
fi
[ -d /tmp/site ] && export PYTHONPATH=/tmp/site:$PWD PATH=/tmp/site/bin:$PATH
if ! command -v medcot >/dev/null; then  # not pip-installed: run from the checkout
  mkdir -p /tmp/bin; printf '#!/bin/sh\nexec python3 -m medcot "$@"\n' > /tmp/bin/medcot; chmod +x /tmp/bin/medcot; export PATH=/tmp/bin:$PATH
fi
export MEDCOT_CACHE=/tmp/medcot-cache
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$OUT/gpu.txt"
anchors=$( [ -d ../shared/anchors ] && echo ../shared/anchors || echo .bench/anchors )
shape=/tmp/r1-1.5b-shape
case "${1:-}" in
  tests)
    python3 bench/run_nb.py "$OUT" ${NBS:-nbs/01_quant.ipynb nbs/02_lora.ipynb nbs/03_train.ipynb nbs/04_infer.ipynb} ;;
  bench)
    [ -f $shape/config.json ] || python3 $anchors/probe.py make
    python3 bench/qlora_bench.py data $shape /tmp/bench.jsonl $anchors/lengths.json | tee "$OUT/data.json"
    export MEAN_LEN=$(python3 -c "import json;print(json.load(open('$OUT/data.json'))['mean_len'])")
    export MATMUL_TFLOPS=$(python3 bench/qlora_bench.py matmul | tee -a "$OUT/bench.jsonl" | python3 -c "import json,sys;print(json.load(sys.stdin)['bf16_matmul_tflops'])")
    # most telling first (a run cut short by a time limit keeps what it measured): medcot's default for the card,
    # then the peer recipes, then the T4 preset (memory)
    python3 bench/qlora_bench.py run a100 $shape /tmp/bench.jsonl 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl"
    BS=16 LOGSTEPS=10 python3 $anchors/sft_recipes.py unsloth_packed 2>>/tmp/medcot-bench.err | grep '^{' | tee -a "$OUT/bench.jsonl"
    for r in unsloth_defaults tutorial; do python3 $anchors/sft_recipes.py $r 2>>/tmp/medcot-bench.err | grep '^{' | tee -a "$OUT/bench.jsonl"; done
    python3 bench/qlora_bench.py run t4 $shape /tmp/bench.jsonl 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl" ;;
  medcot)  # medcot's presets only, 1.5B shape
    [ -f $shape/config.json ] || python3 $anchors/probe.py make
    [ -f /tmp/bench.jsonl ] || python3 bench/qlora_bench.py data $shape /tmp/bench.jsonl $anchors/lengths.json | tee "$OUT/data.json"
    export MEAN_LEN=$(python3 -c "import json;print(json.load(open('$OUT/data.json'))['mean_len'])" 2>/dev/null || echo 801.3)
    export MATMUL_TFLOPS=${MATMUL_TFLOPS:-$(python3 bench/qlora_bench.py matmul | python3 -c "import json,sys;print(json.load(sys.stdin)['bf16_matmul_tflops'])")}
    for p in ${PRESETS:-a100 t4}; do python3 bench/qlora_bench.py run $p $shape /tmp/bench.jsonl ${EXTRA:-} 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl"; done ;;
  anchors)  # the peer recipes alone (RECIPES), e.g. beside a `medcot` run on the same warm machine
    [ -f $shape/config.json ] || python3 $anchors/probe.py make
    for r in ${RECIPES:-unsloth_packed unsloth_defaults tutorial}; do BS=16 LOGSTEPS=$([ $r = unsloth_packed ] && echo 10 || echo 1) \
      python3 $anchors/sft_recipes.py $r 2>>/tmp/medcot-bench.err | grep '^{' | tee -a "$OUT/bench.jsonl"; done ;;
  prof)  # where a training step spends its time: torch.profiler tables of medcot's steps, beside the packed anchor
    [ -f $shape/config.json ] || python3 $anchors/probe.py make
    [ -f /tmp/bench.jsonl ] || python3 bench/qlora_bench.py data $shape /tmp/bench.jsonl $anchors/lengths.json > /dev/null
    [ -n "${ANCHOR-1}" ] && BS=16 LOGSTEPS=10 python3 $anchors/sft_recipes.py unsloth_packed 2>>/tmp/medcot-bench.err | grep '^{' | tee -a "$OUT/bench.jsonl"
    IFS=';' read -ra variants <<< "${VARIANTS:-default:a100}"
    for v in "${variants[@]}"; do tag=${v%%:*}; args=${v#*:}
      OUT=$OUT python3 bench/profile_train.py $tag $args model.name=$shape data.source=/tmp/bench.jsonl 2>>/tmp/medcot-bench.err | grep '^{' | tee -a "$OUT/bench.jsonl"; done
    [ -n "${BARE:-}" ] && python3 $anchors/probe.py unsloth 2048 16 8 2>>/tmp/medcot-bench.err | grep '^{' | tee -a "$OUT/bench.jsonl" ;;
  ddp)  # data parallel: the same run on 1 GPU and on all GPUs of the host (hf backend, padded batches)
    [ -f $shape/config.json ] || python3 $anchors/probe.py make
    [ -f /tmp/bench.jsonl ] || python3 bench/qlora_bench.py data $shape /tmp/bench.jsonl $anchors/lengths.json > /dev/null
    n=$(nvidia-smi -L | wc -l); o="model.backend=hf model.dtype=bfloat16 batch_size=8 grad_accum=1 packing=auto"
    MEAN_LEN=801.3 python3 bench/qlora_bench.py run a100 $shape /tmp/bench.jsonl $o 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl"
    MEAN_LEN=801.3 LAUNCH="torchrun --nproc_per_node $n" python3 bench/qlora_bench.py run a100 $shape /tmp/bench.jsonl $o 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl" ;;
  bench7b)
    s7=/tmp/r1-7b-shape
    [ -f $s7/config.json ] || SHAPE=7b python3 $anchors/probe.py make
    [ -f /tmp/bench.jsonl ] || python3 bench/qlora_bench.py data $s7 /tmp/bench.jsonl $anchors/lengths.json
    MEAN_LEN=${MEAN_LEN:-801.3} python3 bench/qlora_bench.py run t4 $s7 /tmp/bench.jsonl 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl" ;;
  grpo)
    [ -f $shape/config.json ] || python3 -c "from medcot.quant import build_shape_model; build_shape_model(path='$shape')"
    IFS=';' read -ra variants <<< "${VARIANTS:-a100:max_completion_length=256;t4:max_completion_length=256}"
    for v in "${variants[@]}"; do p=${v%%:*}; args=${v#*:}
      python3 bench/grpo_bench.py $p $shape $args 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl"; done ;;
  long)  # records of LEN tokens (shortened to the limit), one JSON line per variant
    [ -f $shape/config.json ] || python3 -c "from medcot.quant import build_shape_model; build_shape_model(path='$shape')"
    for L in 8192 16384; do
      python3 -c "import json; json.dump([$L + 200] * 64, open('/tmp/len$L.json', 'w'))"
      [ -f /tmp/long$L.jsonl ] || python3 bench/qlora_bench.py data $shape /tmp/long$L.jsonl /tmp/len$L.json > /dev/null; done
    IFS=';' read -ra variants <<< "${VARIANTS:-a100:8192:batch_size=4;a100:16384:batch_size=2;t4:8192:batch_size=1 grad_accum=8;a100:16384:batch_size=1;logits|a100:16384:batch_size=1}"
    for v in "${variants[@]}"; do env=""; [ "${v%%|*}" = logits ] && { env="UNSLOTH_RETURN_LOGITS=1"; v=${v#*|}; }
      p=${v%%:*}; rest=${v#*:}; L=${rest%%:*}; args=${rest#*:}
      env $env STEPS=${STEPS:-6} MEAN_LEN=$L python3 bench/qlora_bench.py run $p $shape /tmp/long$L.jsonl data.max_seq_length=$L $args 2>>/tmp/medcot-bench.err \
        | python3 -c "import json,sys; [print(json.dumps(dict(json.loads(l), seq=$L, unsloth_return_logits='$env' != ''))) for l in sys.stdin]" | tee -a "$OUT/bench.jsonl"; done ;;
  *) echo "usage: bash bench/gpu.sh tests|medcot|anchors|bench|bench7b|prof|ddp|grpo|long"; exit 2 ;;
esac
[ -f /tmp/medcot-bench.err ] && grep -iE 'error|Traceback' -A3 /tmp/medcot-bench.err | tail -40
