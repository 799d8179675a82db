"""1강: 중첩과 측정.

큐비트는 |0>이나 |1>일 수도 있고, |a|^2 + |b|^2 = 1 인 중첩 상태 a|0> + b|1>일 수도
있습니다. 측정하면 |a|^2의 확률로 0을, |b|^2의 확률로 1을 얻고, 큐비트는 측정된 그
상태로 남습니다. 아다마르(Hadamard) 게이트 H는 |0>을 균등한 중첩으로 바꾸므로, 측정은
공정한 동전 던지기가 됩니다.

실행:  python docs/learn/ko/01_superposition.py
"""
import numpy as np

import qvalley as qv

# 큐비트 하나에 H 하나: 상태는 (|0> + |1>) / sqrt(2) 입니다.
c = qv.Circuit(1).h(0)
print(c)
psi = qv.statevector(c)
print("진폭:", np.round(psi, 4))                  # [0.7071, 0.7071]
assert np.allclose(psi, [2 ** -0.5, 2 ** -0.5])

# 1000번 측정하면 대략 절반은 0, 절반은 1 (한 번 한 번은 무작위입니다).
res = qv.run(c.copy().measure_all(), shots=1000, seed=1)
print("측정 횟수:", res.counts)
assert abs(res.counts["0"] - 500) < 80

# 회전 RY(theta)로 확률을 정할 수 있습니다: P(1) = sin^2(theta / 2).
for theta in (0.0, np.pi / 3, np.pi / 2, np.pi):
    p1 = qv.probabilities(qv.Circuit(1).ry(theta, 0))[1]
    print(f"theta = {theta:.3f}: P(1) = {p1:.3f}, sin^2(theta/2) = {np.sin(theta / 2) ** 2:.3f}")
    assert abs(p1 - np.sin(theta / 2) ** 2) < 1e-12

# H를 두 번 적용하면 항등 연산: 중첩이 간섭하여 다시 |0>이 됩니다.
assert np.allclose(qv.statevector(qv.Circuit(1).h(0).h(0)), [1, 0])
print("H 다음 H는 다시 |0>: 무작위가 아니라 간섭입니다.")
