//! Finding the passage that answers a visitor's question, or none.
//!
//! BM25 over the passages (the heading's words count twice), on words that are lower-cased,
//! stemmed and stripped of stop words (bm25's tokenizer), after two kinds of help for the way
//! visitors write: synonyms (synonyms.txt: "how much" is a price, "amex" is American Express)
//! and typo correction (a question's word the articles never use is read as the article word
//! one or two edits away).
//!
//! A passage must also *cover* the question: the share of the question's weight (each word's
//! IDF, a word no article uses weighing the most) found in the passage. "Do you sell tea?" finds
//! "sell" in the privacy policy but not "tea", covers too little, and is declined: an honest "I
//! don't know" rather than the wrong article.

use bm25::{DefaultTokenizer, Language, Tokenizer};
use std::collections::{HashMap, HashSet};

/// BM25's usual constants.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// How many times a heading's words count.
const HEADING_WEIGHT: f32 = 2.0;

/// The least share of the question a passage must cover, and the least score it must reach
/// (calibrated on eval/knowledge.tsv: docs/ai.md has the figures).
pub const MIN_COVERAGE: f32 = 0.5;
pub const MIN_SCORE: f32 = 0.5;

/// Words shorter than this are not counted (`nr`, `ur`, stray letters).
const MIN_WORD_CHARS: usize = 3;

/// Function words visitors misspell; a word one edit from these is dropped like them.
const FUNCTION_WORDS: &[&str] = &[
    "what", "whats", "where", "when", "which", "with", "have", "there", "your", "would", "could",
    "should", "about", "please", "thanks", "thank", "hello", "does", "want", "need", "like",
    "know", "tell", "from", "that", "this", "them", "they", "just", "also", "some", "any",
];

/// Words that carry little of a question's meaning wherever they stand ("how long does it
/// take", "can I get"): they count a third in the coverage, so that a passage is not declined
/// for lacking them.
const GENERIC_WORDS: &[&str] = &[
    "get",
    "got",
    "take",
    "took",
    "make",
    "made",
    "give",
    "come",
    "came",
    "want",
    "need",
    "use",
    "find",
    "put",
    "number",
    "thing",
    "way",
    "someone",
    "something",
    "anything",
    "everyth",
    "possibl",
    "help",
    "much",
    "mani",
    "long",
    "today",
    "okay",
    "good",
    "new",
    "let",
    "look",
    "abl",
    "sure",
    "kind",
    "sent",
    "send",
    "offer",
    "amount",
    "everi",
    "day",
    "time",
    "ask",
    "tell",
    "say",
    "said",
    "see",
    "think",
    "mean",
    "tri",
    "start",
    "show",
    "right",
    "realli",
    "still",
    "alreadi",
    "bit",
    "lot",
    "one",
    "two",
    "thank",
    "pleas",
    "hello",
    "hey",
];

/// How much a generic word weighs in the coverage, against its IDF.
const GENERIC_WEIGHT: f32 = 0.3;

const SYNONYMS: &str = include_str!("synonyms.txt");

/// One passage, as the index counts its words.
struct Doc {
    tf: HashMap<String, f32>,
    len: f32,
    /// Which article the passage belongs to: coverage counts the whole article's words.
    article: usize,
}

pub struct Index {
    /// Stems every word, stop words too (phrases need them: "how much", "put on hold").
    stemmer: DefaultTokenizer,
    /// Drops stop words (and stems the rest).
    tokenizer: DefaultTokenizer,
    /// A phrase's stems → the stem of the article word it means.
    phrases: Vec<(Vec<String>, String)>,
    /// Stem → the stem of the article word it means.
    synonyms: HashMap<String, String>,
    docs: Vec<Doc>,
    /// Every word of each article.
    articles: Vec<HashSet<String>>,
    df: HashMap<String, usize>,
    avg_len: f32,
}

/// A passage's fit to a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub passage: usize,
    pub score: f32,
    pub coverage: f32,
}

impl Hit {
    /// Whether it ranks and covers the question well enough to answer from.
    pub fn answers(&self) -> bool {
        self.score >= MIN_SCORE && self.coverage >= MIN_COVERAGE
    }
}

impl Index {
    /// Indexes `(article, heading, text)` passages; `article` numbers the passage's article.
    pub fn new<'a>(passages: impl IntoIterator<Item = (usize, &'a str, &'a str)>) -> Self {
        let mut index = Self {
            stemmer: DefaultTokenizer::builder()
                .language_mode(Language::English)
                .stopwords(false)
                .build(),
            tokenizer: DefaultTokenizer::new(Language::English),
            phrases: Vec::new(),
            synonyms: HashMap::new(),
            docs: Vec::new(),
            articles: Vec::new(),
            df: HashMap::new(),
            avg_len: 1.0,
        };
        index.load_synonyms();
        for (article, heading, text) in passages {
            let doc = index.doc(article, heading, text);
            for term in doc.tf.keys() {
                *index.df.entry(term.clone()).or_default() += 1;
            }
            if index.articles.len() <= article {
                index.articles.resize(article + 1, HashSet::new());
            }
            index.articles[article].extend(doc.tf.keys().cloned());
            index.docs.push(doc);
        }
        let total: f32 = index.docs.iter().map(|d| d.len).sum();
        index.avg_len = (total / index.docs.len().max(1) as f32).max(1.0);
        index
    }

    fn load_synonyms(&mut self) {
        for line in SYNONYMS.lines().filter(|l| !l.starts_with('#')) {
            let Some((canonical, variants)) = line.split_once(':') else {
                continue;
            };
            // A multi-word article term becomes one word, in the articles too.
            let target = canonical.trim().to_lowercase().replace(' ', "");
            let Some(target_stem) = self.all_stems(&target).into_iter().next() else {
                continue;
            };
            let canonical = self.all_stems(canonical);
            if canonical.len() > 1 {
                self.phrases.push((canonical, target_stem.clone()));
            }
            for variant in variants.split(',') {
                let stems = self.all_stems(variant);
                match stems.len() {
                    0 => {}
                    1 => {
                        self.synonyms.insert(stems[0].clone(), target_stem.clone());
                    }
                    _ => self.phrases.push((stems, target_stem.clone())),
                }
            }
        }
        // Longer phrases first, so that "put on hold" is not read as "put on" + "hold".
        self.phrases
            .sort_by_key(|(phrase, _)| std::cmp::Reverse(phrase.len()));
    }

    /// Every word's stem, stop words included.
    fn all_stems(&self, text: &str) -> Vec<String> {
        self.stemmer.tokenize(&words_only(text))
    }

    /// The words of a text as the index counts them: stemmed, phrases replaced by the article
    /// word they mean, stop words dropped, single-word synonyms mapped.
    fn terms(&self, text: &str) -> Vec<String> {
        let text = words_only(text);
        let words: Vec<&str> = text.split_whitespace().collect();
        let stems: Vec<String> = words
            .iter()
            .map(|w| {
                self.stemmer
                    .tokenize(w)
                    .into_iter()
                    .next()
                    .unwrap_or_default()
            })
            .collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let phrase = self
                .phrases
                .iter()
                .find(|(phrase, _)| stems.get(i..i + phrase.len()) == Some(phrase.as_slice()));
            if let Some((phrase, target)) = phrase {
                out.push(target.clone());
                i += phrase.len();
                continue;
            }
            // The stop-word tokenizer keeps a word's stem unless it is a stop word.
            if let Some(stem) = self.tokenizer.tokenize(words[i]).into_iter().next() {
                // Mapped first: a short word may stand for a longer one ("EU" for Europe).
                let term = self.synonyms.get(&stem).cloned().unwrap_or(stem);
                if term.chars().count() >= MIN_WORD_CHARS {
                    out.push(term);
                }
            }
            i += 1;
        }
        out
    }

    fn doc(&self, article: usize, heading: &str, text: &str) -> Doc {
        let mut tf: HashMap<String, f32> = HashMap::new();
        for term in self.terms(heading) {
            *tf.entry(term).or_default() += HEADING_WEIGHT;
        }
        for term in self.terms(text) {
            *tf.entry(term).or_default() += 1.0;
        }
        let len = tf.values().sum();
        Doc { tf, len, article }
    }

    /// How rare a word is among the passages. Smoothed so that a small knowledge base (one
    /// article, a few sections) still weighs a word it has against one it lacks.
    fn idf(&self, term: &str) -> f32 {
        let n = self.docs.len() as f32;
        let df = self.df.get(term).copied().unwrap_or(0) as f32;
        (1.0 + (n + 1.0) / (df + 0.5)).ln()
    }

    /// The question's words, each read as an article word where it is a typo of one; function
    /// words (and their typos) left out.
    fn question_terms(&self, question: &str) -> Vec<String> {
        let mut seen = HashSet::new();
        let function_word = |t: &str| {
            FUNCTION_WORDS
                .iter()
                .any(|f| *f == t || (t.chars().count() >= 5 && within(t, f, 1)))
        };
        self.terms(question)
            .into_iter()
            .filter(|t| !function_word(t))
            .map(|t| self.corrected(t))
            .filter(|t| seen.insert(t.clone()))
            .collect()
    }

    /// `term` if the articles use it, else the article word an edit or two away, if one is.
    fn corrected(&self, term: String) -> String {
        if self.df.contains_key(&term) {
            return term;
        }
        let chars = term.chars().count();
        if chars < 5 {
            return term;
        }
        let edits = if chars >= 9 { 2 } else { 1 };
        let first = term.chars().next();
        self.df
            .keys()
            .filter(|known| known.chars().next() == first && within(&term, known, edits))
            .max_by_key(|known| (self.df[*known], std::cmp::Reverse((*known).clone())))
            .cloned()
            .unwrap_or(term)
    }

    /// The passages ranked for `question`, best first, with their scores and coverage.
    pub fn rank(&self, question: &str) -> Vec<Hit> {
        // Each word's IDF and its weight in the coverage, worked out once per question.
        let terms: Vec<(String, f32, f32)> = self
            .question_terms(question)
            .into_iter()
            .map(|t| {
                let idf = self.idf(&t);
                let generic = GENERIC_WORDS.contains(&t.as_str());
                let weight = idf * if generic { GENERIC_WEIGHT } else { 1.0 };
                (t, idf, weight)
            })
            .collect();
        let weight: f32 = terms.iter().map(|(_, _, w)| w).sum();
        let mut hits: Vec<Hit> = self
            .docs
            .iter()
            .enumerate()
            .map(|(passage, doc)| {
                let mut score = 0.0;
                let article = &self.articles[doc.article];
                let covered: f32 = terms
                    .iter()
                    .filter(|(t, _, _)| article.contains(t))
                    .map(|(_, _, w)| w)
                    .sum();
                for (term, idf, _) in &terms {
                    let Some(&tf) = doc.tf.get(term) else {
                        continue;
                    };
                    score +=
                        idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * doc.len / self.avg_len));
                }
                Hit {
                    passage,
                    score,
                    coverage: if weight > 0.0 { covered / weight } else { 0.0 },
                }
            })
            .filter(|hit| hit.score > 0.0)
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits
    }
}

/// The text's words, lower case, one space apart: punctuation never splits a phrase.
fn words_only(text: &str) -> String {
    let cleaned: String = text
        .to_lowercase()
        .replace(['’', '\''], "")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `a` is at most `edits` insertions, deletions, substitutions or swaps of neighbours
/// from `b` (Damerau–Levenshtein, optimal string alignment).
fn within(a: &str, b: &str, edits: usize) -> bool {
    a.chars().count().abs_diff(b.chars().count()) <= edits && strsim::osa_distance(a, b) <= edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_counted_with_swaps() {
        assert!(within("cancle", "cancel", 1));
        assert!(within("retrun", "return", 1));
        assert!(within("pasword", "password", 1));
        assert!(!within("tea", "sea", 0));
        assert!(!within("weather", "whether", 1));
    }

    #[test]
    fn synonyms_and_typos_reach_the_articles_words() {
        let index = Index::new([
            (0, "Refunds", "Refunds are paid within 5 days"),
            (1, "Hours", "Open daily"),
            (2, "Delivery", "Delivery in the EU takes 2 to 5 days"),
        ]);
        let top = |q: &str| {
            index
                .rank(q)
                .first()
                .map(|h| (h.passage, h.coverage >= MIN_COVERAGE))
        };
        // A phrase for the article's word, a typo of it (generic words aside), a country for
        // the EU, a word that means the article's.
        assert_eq!(top("i want my money back"), Some((0, true)));
        assert_eq!(top("how long do refnds take"), Some((0, true)));
        assert_eq!(top("shipping to Germany?"), Some((2, true)));
        assert_eq!(top("when do you close"), Some((1, true)));
        // Nothing about tea anywhere: no passage at all.
        assert_eq!(top("do you sell tea"), None);

        // A knowledge base of one short article still answers, and still declines.
        let tea = Index::new([(0, "Green tea", "We sell sencha and matcha green teas.")]);
        let hit = tea.rank("Do you sell green tea?")[0];
        assert!(hit.answers(), "{hit:?}");
        assert!(tea.rank("How much does shipping cost?").is_empty());
    }
}
