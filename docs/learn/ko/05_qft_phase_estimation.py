"""5강: 양자 푸리에 변환과 위상 추정.

양자 푸리에 변환(QFT)은 상태의 진폭에 적용한 이산 푸리에 변환으로, 아다마르와 제어
위상 게이트로 만듭니다: 고전적으로 O(n 2^n) 연산이 필요한 일을 n 큐비트에서 O(n^2)
게이트로 합니다. 위상 추정은 QFT를 이용해 유니터리의 고윳값 e^{2 pi i phi}의 위상
phi를 계수 큐비트 레지스터에 읽어 냅니다.

실행:  python docs/learn/ko/05_qft_phase_estimation.py
"""
import numpy as np

import qvalley as qv
from qvalley.algorithms import phase_estimation, qft

n = 3
print(qft(n))
rng = np.random.default_rng(0)
psi = rng.normal(size=8) + 1j * rng.normal(size=8)
psi /= np.linalg.norm(psi)
out = qv.statevector(qft(n), initial_state=psi)
assert np.allclose(out, np.fft.ifft(psi) * np.sqrt(8))
print("무작위 상태의 QFT가 numpy의 역 FFT(배율 보정)와 같습니다: 확인")

# |1>에서 T 게이트의 위상 추정: e^{i pi/4} = e^{2 pi i * 1/8}.
T = np.diag([1, np.exp(1j * np.pi / 4)])
r = phase_estimation(T, qv.Circuit(1).x(0), bits=3, seed=1)
print("측정 결과:", r.counts, "-> 위상", r.phase)
assert r.phase == 1 / 8
# 비트가 더 필요한 위상: 0.3125 = 5/16은 4비트로 정확히 읽힙니다.
r = phase_estimation(np.diag([1, np.exp(2j * np.pi * 0.3125)]), qv.Circuit(1).x(0), 4)
print("위상 0.3125를 읽은 값", r.phase)
assert r.phase == 0.3125
