"""8강: MaxCut 문제를 위한 QAOA.

MaxCut은 그래프의 노드를 두 무리로 나누어 두 무리 사이를 잇는 간선이 가장 많게
하는 문제입니다. QAOA는 "비용" 층 exp(-i gamma C)와 "혼합" 층 exp(-i beta sum X)를
번갈아 쌓고, 고전 최적화기가 gamma와 beta를 조정합니다(여기서는 qvalley의 수반
미분으로 얻은 정확한 기울기를 씁니다). 최적화된 회로를 측정하면 무작위로 고를 때보다
훨씬 자주 좋은 분할이 나옵니다.

실행:  python docs/learn/ko/08_qaoa.py
"""
from qvalley.algorithms import qaoa_maxcut

edges = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]   # 대각선 하나가 있는 사각형
r = qaoa_maxcut(edges, layers=2, seed=1)
print(r.circuit)
print(f"기대 분할 크기 {r.expected_cut:.3f} (무작위 배정: {r.random_cut}, "
      f"가능한 최댓값: {r.max_cut})")
top = sorted(r.counts.items(), key=lambda kv: -kv[1])[:4]
print("가장 자주 나온 배정:", top)
assert r.expected_cut > r.random_cut and r.best_cut == r.max_cut
