"""4강: 그로버 검색.

N개 중 표시된 하나를 찾으려면 하나씩 확인할 때 평균 N/2번이 걸립니다. 그로버
알고리즘은 표시된 항목의 진폭을 키웁니다: "오라클 다음 확산 연산"을 약 (pi/4) sqrt(N)번
반복하면 측정이 높은 확률로 그 항목을 돌려줍니다. k번 반복 뒤 성공 확률은
sin^2((2k + 1) theta), sin(theta) = 1/sqrt(N) 입니다.

실행:  python docs/learn/ko/04_grover.py
"""
import math

from qvalley.algorithms import grover, optimal_iterations

n = 5                                    # N = 32개 항목
marked = 0b10110
k = optimal_iterations(n)
print(f"N = {2 ** n}, 최적 반복 횟수 = {k} (약 pi/4 * sqrt(N) = "
      f"{math.pi / 4 * math.sqrt(2 ** n):.2f})")
for iterations in range(0, k + 3):
    r = grover(n, lambda x: x == marked, iterations=iterations, shots=10, seed=1)
    theta = math.asin(1 / math.sqrt(2 ** n))
    formula = math.sin((2 * iterations + 1) * theta) ** 2
    print(f"반복 {iterations}번: 성공 확률 = {r.success_probability:.4f} "
          f"(공식 {formula:.4f})")
    assert abs(r.success_probability - formula) < 1e-9
best = grover(n, lambda x: x == marked, shots=1000, seed=2)
print("가장 자주 나온 답:", best.best, "= 표시된 항목", format(marked, "05b"))
assert best.best == format(marked, "05b")
