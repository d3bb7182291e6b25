import numpy as np
import pytest

from reprlab.papers.labels import speech


def test_mel_pipeline_puts_a_tone_in_its_mel_bin(tmp_path):
    import librosa
    import soundfile

    rate, freq = 22050, 1000.0
    t = np.arange(int(0.8 * rate)) / rate
    soundfile.write(tmp_path / "tone.wav", 0.5 * np.sin(2 * np.pi * freq * t), rate)
    mel = speech.mel_label(tmp_path / "tone.wav")
    assert mel.shape == (64, 64) and mel.max() == pytest.approx(0.0, abs=0.5) and mel.min() >= -80
    expected = np.argmin(np.abs(librosa.mel_frequencies(n_mels=64, fmax=8000) - freq))
    assert abs(int(mel.mean(1).argmax()) - expected) <= 1


@pytest.mark.skipif(__import__("shutil").which("espeak-ng") is None, reason="apt-get install espeak-ng")
def test_espeak_speech_labels_are_distinct_spectrograms(tmp_path):
    bank, source = speech.speech_labels(["airplane", "T-shirt/top"], workdir=tmp_path)
    assert bank.shape == (2, 64, 64) and source == "espeak-ng en-us"
    assert bank.min() >= -80 and bank.max() <= 0 and not np.allclose(bank[0], bank[1])
