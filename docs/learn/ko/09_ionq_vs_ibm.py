"""9강: IonQ와 IBM에서 실행하기: 컴파일, 비교, 잡음 시뮬레이션.

실제 장치는 저마다의 게이트를 씁니다. IonQ의 이온 트랩은 GPi, GPi2와 몰머-쇠렌센(MS)
또는 ZZ 게이트를 쓰고 모든 큐비트가 서로 연결되어 있습니다. IBM의 초전도 칩은 SX, RZ,
X와 이웃한 큐비트 사이의 ECR 또는 CZ를 쓰며 헤비-헥스 격자로 연결됩니다. qvalley는
한 회로를 각 장치에 맞게 컴파일하고 비용을 세며, 하드웨어 시간을 쓰기 전에 장치가
공개한 오류율로 결과를 시뮬레이션합니다.

실행:  python docs/learn/ko/09_ionq_vs_ibm.py
"""
import qvalley as qv
from qvalley.sim.density.engine import noisy_fidelity

c = qv.Circuit(4).h(0)
for q in range(3):
    c.cx(q, q + 1)
c.measure_all()
print(f"{'장치':<14} {'고유 게이트':<34} {'2q':>3} {'깊이':>6} {'충실도':>9}")
for name in ("ionq-aria-1", "ionq-forte-1", "ibm-eagle-r3", "ibm-heron-r2"):
    native = qv.compile(c, name, seed=0)
    ops = {k: v for k, v in native.count_ops().items() if k not in ("measure", "barrier")}
    two = sum(v for k, v in ops.items() if k in ("ms", "zz", "ecr", "cz"))
    fid = noisy_fidelity(c, native, qv.NoiseModel.from_target(name))
    print(f"{name:<14} {str(ops):<34} {two:>3} {native.depth():>6} {fid:>9.4f}")
    assert two >= 3 and 0.7 < fid <= 1
print("\n같은 회로를 이상적인 경우와 각 장치에서 (1000번 측정):")
ideal = qv.run(c, shots=1000, seed=1)
print("  이상적인 경우", dict(sorted(ideal.counts.items())))
for name in ("ionq-forte-1", "ibm-heron-r2"):
    res = qv.run(qv.compile(c, name, seed=0), shots=1000, seed=1, noise=name)
    good = res.counts.get("0000", 0) + res.counts.get("1111", 0)
    print(f"  {name:<13} 1000번 중 {good}번이 0000 또는 1111")
    assert good > 800
