//! How well the built-in assistant answers: a set of visitors' questions, each with the
//! article that answers it (or none), asked of a knowledge base. `switchboard admin knowledge
//! eval` prints the table; a test holds the demo's figures at 90 % or more.
//!
//! The questions file is tab-separated: the question, the expected article slugs separated by
//! `|` (`-` for none; `-` among slugs means declining is right too), and a kind (`plain`,
//! `paraphrase`, `typo`, `none`). Lines starting with `#` are comments.

use super::knowledge::KnowledgeBase;

/// One question and what would be right.
#[derive(Debug, Clone)]
pub struct Case {
    pub question: String,
    /// Slugs of the articles that answer it.
    pub answers: Vec<String>,
    /// Declining is right (no article answers it, or it is a matter of judgement).
    pub may_decline: bool,
    pub kind: String,
}

impl Case {
    /// Whether no article is expected at all: the question counts among those to decline.
    pub fn unanswerable(&self) -> bool {
        self.kind == "none"
    }
}

/// Reads the questions file.
pub fn parse_cases(text: &str) -> anyhow::Result<Vec<Case>> {
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [question, expected, kind] = fields[..] else {
            anyhow::bail!("line {}: expected three tab-separated fields", n + 1);
        };
        let slugs: Vec<&str> = expected.split('|').map(str::trim).collect();
        cases.push(Case {
            question: question.trim().to_string(),
            answers: slugs
                .iter()
                .filter(|s| **s != "-")
                .map(|s| s.to_string())
                .collect(),
            may_decline: slugs.contains(&"-"),
            kind: kind.trim().to_string(),
        });
    }
    Ok(cases)
}

/// What the knowledge base did with one question.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    /// The article it answered from, `None` when it declined.
    pub answered: Option<String>,
    pub right: bool,
}

/// The figures of an evaluation.
#[derive(Debug, Clone)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
}

impl Report {
    fn share(&self, unanswerable: bool) -> (usize, usize) {
        let group: Vec<_> = self
            .outcomes
            .iter()
            .filter(|o| o.case.unanswerable() == unanswerable)
            .collect();
        (group.iter().filter(|o| o.right).count(), group.len())
    }

    /// Right answers among the answerable questions, as a fraction.
    pub fn answered_right(&self) -> f64 {
        let (right, all) = self.share(false);
        right as f64 / all.max(1) as f64
    }

    /// Declined among the questions no article answers, as a fraction.
    pub fn declined_right(&self) -> f64 {
        let (right, all) = self.share(true);
        right as f64 / all.max(1) as f64
    }

    /// Every question with its outcome, the wrong ones marked, and the two figures.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for o in &self.outcomes {
            let mark = if o.right { "  " } else { "✗ " };
            let expected = match (o.case.answers.is_empty(), o.case.may_decline) {
                (true, _) => "-".to_string(),
                (false, true) => format!("{}|-", o.case.answers.join("|")),
                (false, false) => o.case.answers.join("|"),
            };
            let answered = o.answered.as_deref().unwrap_or("-");
            out.push_str(&format!(
                "{mark}{:<11} {:<70} expected {:<30} answered {answered}\n",
                o.case.kind, o.case.question, expected
            ));
        }
        let (right, answerable) = self.share(false);
        let (declined, unanswerable) = self.share(true);
        out.push_str(&format!(
            "\nanswerable: {right}/{answerable} right ({:.1} %)\nunanswerable: {declined}/{unanswerable} declined ({:.1} %)\n",
            100.0 * self.answered_right(),
            100.0 * self.declined_right()
        ));
        out
    }
}

/// Asks the knowledge base every question.
pub fn evaluate(kb: &KnowledgeBase, cases: &[Case]) -> Report {
    let outcomes = cases
        .iter()
        .map(|case| {
            let answered = kb.best_article(&case.question);
            let right = match &answered {
                Some(slug) => case.answers.contains(slug),
                None => case.may_decline || case.answers.is_empty(),
            };
            Outcome {
                case: case.clone(),
                answered,
                right,
            }
        })
        .collect();
    Report { outcomes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{path::Path, time::Duration};

    fn demo_report() -> Report {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let kb = KnowledgeBase::load(&root.join("knowledge"), Duration::ZERO).unwrap();
        let text = std::fs::read_to_string(root.join("eval/knowledge.tsv")).unwrap();
        evaluate(&kb, &parse_cases(&text).unwrap())
    }

    #[test]
    fn the_demo_questions_are_a_fair_test() {
        let report = demo_report();
        let cases: Vec<_> = report.outcomes.iter().map(|o| &o.case).collect();
        let answerable = cases.iter().filter(|c| !c.unanswerable()).count();
        let away = cases
            .iter()
            .filter(|c| matches!(c.kind.as_str(), "paraphrase" | "typo"))
            .count();
        assert!(cases.len() >= 120, "{} questions", cases.len());
        assert!(cases.len() - answerable >= 30);
        assert!(
            away * 3 >= answerable,
            "{away} of {answerable} away from the words"
        );
        assert!(cases.iter().any(|c| c.kind == "typo"));
    }

    #[test]
    fn the_built_in_assistant_answers_right_or_declines_nine_times_in_ten() {
        let report = demo_report();
        println!("{}", report.table());
        assert!(
            report.answered_right() >= 0.9 && report.declined_right() >= 0.9,
            "below 90 %:\n{}",
            report.table()
        );
    }
}
