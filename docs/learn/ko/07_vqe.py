"""7강: 수소 분자를 위한 변분 양자 고유값 풀이(VQE).

화학은 분자 해밀토니언의 가장 낮은 에너지를 묻습니다. VQE는 매개변수가 있는 회로로
시험 상태를 만들고 에너지를 측정한 뒤, 고전 최적화기가 매개변수를 조정하게 합니다.
qvalley는 STO-3G 기저(Hehre, Stewart, Pople, 1969)와 교과서의 적분 공식(Szabo와
Ostlund)으로 H2의 4-큐비트 해밀토니언을 만들고, VQE 결과를 정확한 답과 비교합니다.
화학적 정확도는 1.6 mHa입니다.

실행:  python docs/learn/ko/07_vqe.py
"""
from qvalley.algorithms import h2_hamiltonian, vqe_h2

H = h2_hamiltonian(0.7414)
print(f"결합 길이 0.7414 옹스트롬의 H2: 파울리 항 {len(H.observable)}개, 예를 들면")
for label, coef in H.observable.to_list()[:5]:
    print(f"  {coef.real:+.5f} {label}")
print(f"{'결합(A)':>9} {'VQE (Ha)':>11} {'정확값 (Ha)':>11} {'하트리-폭':>11}")
for bond in (0.5, 0.7414, 1.0, 1.5, 2.0):
    r = vqe_h2(bond)
    print(f"{bond:>9.4f} {r.energy:>11.6f} {r.exact_energy:>11.6f} {r.hartree_fock:>13.6f}")
    assert abs(r.energy - r.exact_energy) < 1.6e-3
print("모든 결합 길이에서 VQE가 화학적 정확도 안에 있고, 최솟값은 0.74 A 근처입니다.")
