"""2강: 얽힘.

벨 상태 (|00> + |11>) / sqrt(2)에 있는 두 큐비트는 큐비트 하나씩으로는 설명할 수
없습니다. 각각은 공정한 동전이지만 두 결과는 언제나 같습니다. GHZ 상태는 이것을 여러
큐비트로 넓힌 것입니다. 얽힘은 양자 순간이동, 초고밀도 부호화, 그리고 대부분의 양자
속도 향상을 가능하게 하는 자원입니다.

실행:  python docs/learn/ko/02_entanglement.py
"""
import qvalley as qv
from qvalley.algorithms import bell_state, ghz_state, superdense_coding

bell = bell_state("phi+")
print(bell)
res = qv.run(bell.copy().measure_all(), shots=1000, seed=2)
print("벨 쌍 측정 결과:", res.counts)             # '00'과 '11'만 나옵니다
assert set(res.counts) == {"00", "11"}

# 큐비트 하나만 보면 완전히 섞인 상태입니다: 블로흐 벡터의 길이가 0입니다.
obs_z0 = qv.expectation(bell, "IZ")
obs_zz = qv.expectation(bell, "ZZ")
print(f"<큐비트 0의 Z> = {obs_z0:.3f} (혼자서는 무작위), <Z Z> = {obs_zz:.3f} (언제나 일치)")
assert abs(obs_z0) < 1e-12 and abs(obs_zz - 1) < 1e-12

# 큐비트 6개의 GHZ 상태: 000000 아니면 111111, 다른 결과는 없습니다.
ghz = qv.run(ghz_state(6).measure_all(), shots=500, seed=3)
print("GHZ 측정 결과:", ghz.counts)
assert set(ghz.counts) == {"000000", "111111"}

# 초고밀도 부호화: 공유한 벨 쌍의 큐비트 하나를 보내 고전 비트 두 개를 전달합니다.
for message in ("00", "01", "10", "11"):
    got = superdense_coding(message).decoded
    print(f"보낸 비트 {message}, 받은 비트 {got}")
    assert got == message
