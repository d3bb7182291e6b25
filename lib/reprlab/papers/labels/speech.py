"""Speech labels: class names spoken by ``espeak-ng`` (or read from recordings) turned into mel
spectrograms with upstream's pipeline."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np


def mel_label(wav_path: str | Path, size: int = 64) -> np.ndarray:
    """Upstream's speech label of one recording: load at 22 050 Hz, trim silence (top_db 60), mel
    spectrogram (n_fft 2048, hop 256, 64 mels up to 8 kHz, Hann, power 2, Slaney mels,
    ``pad_mode='reflect'`` as librosa < 0.10), dB relative to the maximum (floor -80 dB), resized
    to size x size (rows: mel bins; columns: time frames). float32 in [-80, 0]."""
    import librosa
    from skimage.transform import resize

    audio, rate = librosa.load(str(wav_path), sr=22050)
    audio, _ = librosa.effects.trim(audio, top_db=60)
    mel = librosa.feature.melspectrogram(y=audio, sr=rate, hop_length=256, n_mels=64, fmax=8000, pad_mode="reflect")
    return resize(librosa.power_to_db(mel, ref=np.max), (size, size)).astype(np.float32)


def synthesize_speech(words: list[str], out_dir: str | Path) -> list[Path]:
    """Speak each word with ``espeak-ng`` (English voice) into ``out_dir/<i>.wav``."""
    if shutil.which("espeak-ng") is None:
        raise FileNotFoundError("espeak-ng is not installed (apt-get install espeak-ng); "
                                "or give a folder of recordings")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, word in enumerate(words):
        path = out_dir / f"{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), word], check=True, capture_output=True)
        paths.append(path)
    return paths


def speech_labels(class_names: list[str], recordings: str | Path | None = None,
                  workdir: str | Path | None = None) -> tuple[np.ndarray, str]:
    """Mel-spectrogram labels (K, 64, 64) of the spoken class names, and their source. With
    ``recordings``, ``<recordings>/<i>.wav`` is class i's recording (upstream's CIFAR-100 layout);
    otherwise espeak-ng synthesises the names (not upstream's cloud TTS voice: values differ)."""
    if recordings is not None:
        files = [Path(recordings) / f"{i}.wav" for i in range(len(class_names))]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise FileNotFoundError(f"recordings={recordings!s} lacks {', '.join(missing[:3])}")
        source = f"recordings in {recordings}"
    else:
        words = [spoken_name(name) for name in class_names]
        files = synthesize_speech(words, Path(workdir or tempfile.mkdtemp()) / "speech")
        source = "espeak-ng en-us"
    return np.stack([mel_label(f) for f in files]), source


def spoken_name(name: str) -> str:
    """A class name as words: ``aquarium_fish`` -> ``aquarium fish``, ``T-shirt/top`` -> ``T-shirt or top``."""
    return name.replace("_", " ").replace("/", " or ")


