//! The model's hand-over mark. The model is told to end a reply that offers a person with
//! [`MARK`]; [`MarkFilter`] takes the mark out of the stream before anyone sees it, holding back
//! only the few characters that might be its beginning, and remembers that it came. So the
//! offer of a person is a fact the server stores with the message, not a sentence to match.

/// What the model writes at the end of a reply that offers a person.
pub const MARK: &str = "[handover]";

#[derive(Debug, Default)]
pub struct MarkFilter {
    /// Text that may be the start of the mark, not shown yet.
    held: String,
    seen: bool,
}

impl MarkFilter {
    /// The part of the text so far that can be shown now.
    pub fn push(&mut self, token: &str) -> String {
        self.held.push_str(token);
        while let Some(at) = self.held.find(MARK) {
            self.seen = true;
            self.held.replace_range(at..at + MARK.len(), "");
        }
        let keep = longest_suffix_starting_the_mark(&self.held);
        let shown = self.held.len() - keep;
        self.held.drain(..shown).collect()
    }

    /// What was held back (it was not the mark after all), and whether the mark came.
    pub fn finish(self) -> (String, bool) {
        (self.held, self.seen)
    }
}

/// How many bytes at the end of `text` could be the mark's first characters.
fn longest_suffix_starting_the_mark(text: &str) -> usize {
    (1..MARK.len().min(text.len() + 1))
        .rev()
        .find(|&n| {
            text.is_char_boundary(text.len() - n) && MARK.starts_with(&text[text.len() - n..])
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(tokens: &[&str]) -> (String, bool) {
        let mut filter = MarkFilter::default();
        let mut shown: String = tokens.iter().map(|t| filter.push(t)).collect();
        let (rest, seen) = filter.finish();
        shown.push_str(&rest);
        (shown, seen)
    }

    #[test]
    fn the_mark_is_taken_out_and_remembered() {
        assert_eq!(
            run(&["I'm not sure. Shall I ask", " the team? [hand", "over]"]),
            ("I'm not sure. Shall I ask the team? ".to_string(), true)
        );
        assert_eq!(
            run(&["Shipping is free [sic]."]),
            ("Shipping is free [sic].".to_string(), false)
        );
        assert_eq!(
            run(&["Costs €35 [", "h"]),
            ("Costs €35 [h".to_string(), false)
        );
    }

    proptest! {
        /// However the reply is cut into tokens, what is shown is the reply without the mark,
        /// and the mark is noticed exactly when it was there.
        #[test]
        fn any_split_shows_the_text_without_the_mark(
            text in "[a-z €\\[\\]]{0,40}",
            marked in any::<bool>(),
            cuts in proptest::collection::vec(0usize..60, 0..8),
        ) {
            let whole = if marked { format!("{text}{MARK}") } else { text.clone() };
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c < whole.len() && whole.is_char_boundary(c)).collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut tokens = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([whole.len()]) {
                tokens.push(&whole[from..cut]);
                from = cut;
            }
            let (shown, seen) = run(&tokens);
            prop_assert_eq!(shown, whole.replace(MARK, ""));
            prop_assert_eq!(seen, whole.contains(MARK));
        }
    }
}
