import { creditGradeLabels, type CreditGrade } from '../../api/domain/credit.ts'

/** 'B 级（信用风险一般）', or the plain words for a business with no grade yet. */
export const gradeText = (grade: CreditGrade | null) =>
  grade ? `${grade} 级（${creditGradeLabels[grade]}）` : '暂无信用等级（按一般风险管理）'
