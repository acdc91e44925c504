"GRPO runs: interrupted and resumed without losing steps; a finished run is not overwritten; the start adapter's weights are used."
import json
import pytest, torch
from transformers import TrainerCallback
from medcot.grpo import grpo, grpo_config
from medcot.data import MedcotError

class CtrlC(TrainerCallback):
    def on_step_end(self, args, state, control, **kw):
        if state.global_step == 4: raise KeyboardInterrupt

def _cfg(out, *more):
    return grpo_config(preset='tiny', overrides=[f'output_dir={out}', 'max_steps=6', 'save_steps=3', 'batch_size=16',
                                                 'items.eval_items=0', 'max_completion_length=12', *more])

def test_grpo_resume_after_interrupt(tmp_path):
    with pytest.raises(KeyboardInterrupt): grpo(_cfg(tmp_path), callbacks=[CtrlC()], verbose=False)
    steps = sorted(int(p.name.split('-')[1]) for p in (tmp_path/'checkpoints').glob('checkpoint-*'))
    assert steps == [3, 4]  # the scheduled save and the one written on the way out
    with pytest.raises(MedcotError, match='unfinished run'): grpo(_cfg(tmp_path), verbose=False)
    res = grpo(_cfg(tmp_path), resume=True, verbose=False)
    m = res.manifest
    assert m['steps'] == 6 and m['resumed_from'].endswith('checkpoint-4')
    assert [h['step'] for h in m['reward']][-1] == 6
    with pytest.raises(MedcotError, match='finished run'): grpo(_cfg(tmp_path), verbose=False)
    with pytest.raises(MedcotError, match='lora.r: 16 -> 8'): grpo(_cfg(tmp_path, 'lora.r=8'), resume=True, verbose=False)

def test_grpo_starts_from_the_sft_adapter(tmp_path):
    from medcot.train import make_config, train
    from safetensors.torch import load_file
    sft = train(make_config(preset='tiny', overrides=[f'output_dir={tmp_path}/sft', 'max_steps=3', 'eval_steps=0', 'lora.r=8',
                                                      'model.backend=hf']), verbose=False)
    res = grpo(_cfg(tmp_path/'rl', f'adapter={sft.run_dir}', 'max_steps=1', 'learning_rate=1e-12'), verbose=False)
    start, end = load_file(str(sft.adapter_dir/'adapter_model.safetensors')), load_file(str(res.adapter_dir/'adapter_model.safetensors'))
    assert set(start) == set(end) and all(torch.allclose(start[k].float(), end[k].float(), atol=1e-3) for k in start)  # r=8 taken from the adapter
    with pytest.raises(MedcotError, match='no adapter there'): grpo(_cfg(tmp_path/'x', f'adapter={tmp_path}'), verbose=False)

def test_grpo_refuses_unsloth_and_bad_groups():
    with pytest.raises(MedcotError, match='zero gradients'): grpo(grpo_config(preset='tiny', overrides=['model.backend=unsloth']))
    with pytest.raises(MedcotError, match='not a multiple of num_generations'): grpo(grpo_config(preset='tiny', overrides=['batch_size=12']))
