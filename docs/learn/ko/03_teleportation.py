"""3강: 양자 순간이동, 회로 중간의 측정과 피드포워드.

앨리스는 모르는 상태의 큐비트를 가지고 있고, 밥과 벨 쌍을 나눠 가졌습니다. 앨리스는
자기 큐비트를 벨 쌍의 절반과 얽은 뒤 둘 다 측정하고, 두 비트를 밥에게 보냅니다. 밥이
비트에 따라 X나 Z를 적용하면 밥의 큐비트가 원래 상태가 됩니다. 빛보다 빠른 것은
없습니다: 두 비트가 없으면 밥의 큐비트는 무작위입니다.

실행:  python docs/learn/ko/03_teleportation.py
"""
import qvalley as qv
from qvalley.algorithms import teleportation

result = teleportation(theta=1.1, phi=0.4, shots=2000, seed=7)
print(result.circuit)
print("측정 결과 (c2 = 밥의 확인 비트, c1 c0 = 앨리스의 비트):", result.counts)
# 밥의 큐비트에서 상태를 되돌리면 모든 시행에서 0이 나옵니다: 상태가 그대로 도착했습니다.
print(f"밥이 상태를 받은 시행의 비율: {result.fidelity_check:.3f}")
assert result.fidelity_check == 1.0
# 앨리스의 비트는 고르게 무작위입니다: 그것만으로는 상태에 대한 정보가 없습니다.
alice = {}
for key, v in result.counts.items():
    alice[key[1:]] = alice.get(key[1:], 0) + v
print("앨리스의 두 비트:", alice)
assert all(abs(v - 500) < 120 for v in alice.values())

# 같은 프로토콜을 잡음이 있는 장치에서: IBM Heron이라면 얼마나 잘 될까요?
noisy = qv.run(result.circuit, shots=2000, seed=1, noise="ibm-heron-r2")
ok = sum(v for k, v in noisy.counts.items() if k[0] == "0") / 2000
print(f"ibm-heron-r2 잡음에서 성공한 시행: {ok:.3f}")
assert 0.8 < ok <= 1.0
