"""After solving: the answer policy's intervals (values), the rubric's points (rubric), the common
mistakes kept once per question (mistake_rows), applied by grade.grade; the policy itself (policy)."""
