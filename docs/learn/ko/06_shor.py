"""6강: 쇼어 알고리즘으로 15와 21을 소인수분해하기.

N의 소인수분해는 N을 법으로 한 무작위 a의 위수 r(a^r = 1 mod N인 가장 작은 r)을
찾는 문제로 바뀝니다. 양자 컴퓨터는 "a를 곱하고 N으로 나눈 나머지" 연산의 위상
추정으로 r을 찾습니다. 그 고윳값의 위상은 s/r이고, 연분수로 측정한 위상에서 r을
얻으며, r이 짝수이면 gcd(a^(r/2) +- 1, N)이 N의 인수입니다.

실행:  python docs/learn/ko/06_shor.py
"""
from qvalley.algorithms import factor, order_finding

of = order_finding(7, 15, seed=3)
print("a = 7, N = 15의 위수 찾기; 가장 자주 나온 측정값:")
for value, fraction, r in of.readings[:4]:
    print(f"  측정값 {value:>3} -> 위상 {fraction} -> 위수 후보 {r}")
print("15를 법으로 한 7의 위수:", of.order)
assert of.order == 4 and pow(7, 4, 15) == 1

for N, a in ((15, 7), (21, 2)):
    result = factor(N, a=a, seed=1)
    print(f"N = {N}: 인수 {result.factors}; 과정: {result.attempts}")
    p, q = result.factors
    assert p * q == N and 1 < p < N
