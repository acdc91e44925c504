#!/usr/bin/env bash
# GPU runs of medcot (see nbs/benchmark.md). From the repo root on a CUDA machine:
#   bash bench/gpu.sh tests     # every notebook with its `#| cuda` cells (nbdev's selection), outputs kept
#   bash bench/gpu.sh bench     # medcot's presets beside the peer recipes (bench/peer_recipes.py), 1.5B shape
#   bash bench/gpu.sh shapes    # the 7B and Llama-8B shapes with the a100 preset (plan=auto) and the t4 preset
#   bash bench/gpu.sh ddp       # Unsloth data parallel: N GPUs against 1 GPU with the same global batch (N = 2, 4 up to
#                               # the host's count): speed-up, loss curves, and every rank's adapter digest
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
shape=/tmp/r1-1.5b-shape
mkshape() {  # mkshape HUB_NAME DIR: random weights with the exact shape of an R1 distill
  [ -f $2/config.json ] || python3 -c "from medcot.memory import build_shape_model; build_shape_model('$1', path='$2')"; }
data() { [ -f /tmp/bench.jsonl ] || python3 bench/qlora_bench.py data $shape /tmp/bench.jsonl > "$OUT/data.json"; }
mkshape deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B $shape
export MEAN_LEN=$(python3 -c "import json; L=json.load(open('bench/medical_o1_lengths.json')); print(sum(L)/len(L))")
peer() { BS=16 python3 bench/peer_recipes.py $1 ${2:-$shape} 2>>/tmp/medcot-bench.err | grep '^{"' | tee -a "$OUT/bench.jsonl"; }
run() { python3 bench/qlora_bench.py run "$@" 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl"; }
case "${1:-}" in
  prep) data; [ -n "${LONG:-}" ] && VARIANTS=none bash bench/gpu.sh long ;;  # the wheels, the shape, its data (LONG=1: the long records)
  tests)
    python3 bench/run_nb.py "$OUT" ${NBS:-nbs/01_quant.ipynb nbs/02_lora.ipynb nbs/03_train.ipynb nbs/04_infer.ipynb} ;;
  bench)  # medcot's default for the card first (a run cut short keeps what it measured), then the peer recipes, then the rest
    data
    export MATMUL_TFLOPS=$(python3 bench/qlora_bench.py matmul | tee -a "$OUT/bench.jsonl" | python3 -c "import json,sys;print(json.load(sys.stdin)['bf16_matmul_tflops'])")
    STEPS=${STEPS:-40} run a100 $shape /tmp/bench.jsonl  # 40 steps: a fresh machine's compile steps stay a small part of the mean
    for r in ${RECIPES:-unsloth_packed unsloth_defaults tutorial}; do peer $r; done
    IFS=';' read -ra variants <<< "${VARIANTS:-a100:plan=fixed;a100:lora.dropout=0;t4:}"
    for v in "${variants[@]}"; do run ${v%%:*} $shape /tmp/bench.jsonl ${v#*:}; done ;;
  medcot)  # medcot's presets only (PRESETS), 1.5B shape, extra overrides in EXTRA
    data
    for p in ${PRESETS:-a100 t4}; do run $p $shape /tmp/bench.jsonl ${EXTRA:-}; done ;;
  anchors)  # the peer recipes alone (RECIPES), e.g. beside a `medcot` run on the same warm machine
    for r in ${RECIPES:-unsloth_packed unsloth_defaults tutorial}; do peer $r; done ;;
  shapes)  # the larger distills' shapes: a100 preset (plan=auto fills the card) and the t4 preset
    data
    for m in ${MODELS:-DeepSeek-R1-Distill-Qwen-7B DeepSeek-R1-Distill-Llama-8B}; do
      mkshape deepseek-ai/$m /tmp/$m-shape
      for p in ${PRESETS:-a100 t4}; do STEPS=${STEPS:-10} run $p /tmp/$m-shape /tmp/bench.jsonl; done
      rm -rf /tmp/$m-shape; done ;;
  prof)  # where a training step spends its time: torch.profiler tables of medcot's steps; "ENV=1|tag:preset k=v" sets
         # an environment variable for one variant (NO_QKV=1: without the fused-QKV shim; PROF_AT=-1: step clock only)
    data
    IFS=';' read -ra variants <<< "${VARIANTS:-default:a100}"
    for v in "${variants[@]}"; do env=""; case $v in *'|'*) env=${v%%|*}; v=${v#*|};; esac; tag=${v%%:*}; args=${v#*:}
      env $env OUT=$OUT python3 bench/profile_train.py $tag $args model.name=$shape data.source=/tmp/bench.jsonl 2>>/tmp/medcot-bench.err | grep '^{' | tee -a "$OUT/bench.jsonl"; done ;;
  ddp)  # for N GPUs: 1 GPU with N times the accumulation (the same global batch), then torchrun over N GPUs
    data
    n=$(nvidia-smi -L | wc -l)
    for N in 2 4 8; do [ $N -le $n ] || break
      STEPS=${STEPS:-10} LOGSTEPS=1 CUDA_VISIBLE_DEVICES=0 run a100 $shape /tmp/bench.jsonl grad_accum=$N ${EXTRA:-}
      STEPS=${STEPS:-10} LOGSTEPS=1 LAUNCH="torchrun --nproc_per_node $N" run a100 $shape /tmp/bench.jsonl ${EXTRA:-}; done ;;
  grpo)
    IFS=';' read -ra variants <<< "${VARIANTS:-a100:max_completion_length=256;t4:max_completion_length=256}"
    for v in "${variants[@]}"; do p=${v%%:*}; args=${v#*:}
      python3 bench/grpo_bench.py $p $shape $args 2>>/tmp/medcot-bench.err | tee -a "$OUT/bench.jsonl"; done ;;
  long)  # records of L tokens (cut to the limit), one JSON line per variant; logits| sets UNSLOTH_RETURN_LOGITS=1 (no fused loss)
    for L in 8192 16384; do
      python3 -c "import json; json.dump([$L + 200] * 64, open('/tmp/len$L.json', 'w'))"
      [ -f /tmp/long$L.jsonl ] || N=64 python3 bench/qlora_bench.py data $shape /tmp/long$L.jsonl /tmp/len$L.json > /dev/null; done
    IFS=';' read -ra variants <<< "${VARIANTS:-a100:8192:plan=fixed batch_size=4;a100:16384:plan=fixed batch_size=2;a100:8192:;t4:8192:batch_size=1 grad_accum=8;a100:16384:plan=fixed batch_size=1 packing=off;logits|a100:16384:plan=fixed batch_size=1 packing=off}"
    [ "${VARIANTS:-}" = none ] && exit 0
    for v in "${variants[@]}"; do env=""; [ "${v%%|*}" = logits ] && { env="UNSLOTH_RETURN_LOGITS=1"; v=${v#*|}; }
      p=${v%%:*}; rest=${v#*:}; L=${rest%%:*}; args=${rest#*:}
      env $env STEPS=${STEPS:-8} MEAN_LEN=$L python3 bench/qlora_bench.py run $p $shape /tmp/long$L.jsonl data.max_seq_length=$L $args 2>>/tmp/medcot-bench.err \
        | python3 -c "import json,sys; [print(json.dumps(dict(json.loads(l), unsloth_return_logits='$env' != ''))) for l in sys.stdin]" | tee -a "$OUT/bench.jsonl"; done ;;
  *) echo "usage: bash bench/gpu.sh prep|tests|medcot|anchors|bench|shapes|prof|ddp|grpo|long"; exit 2 ;;
esac
[ -f /tmp/medcot-bench.err ] && grep -iE 'error|Traceback' -A3 /tmp/medcot-bench.err | tail -40
