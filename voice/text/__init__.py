"""Text front-ends, one job a module:

- `checks`: the text voxlip will say, checked at the edge (`check_text`, `normalised`, `is_pronounceable`, its limits).
- `languages`: the text's script and language against the voice's (`check_script`, `checked_text`,
  `other_language`, `language_family`).
- `spoken`: English written as it is said for espeak-ng (`spoken_english`), by the steps of
  - `pictographs`: the hearts and stars said, the other emoji left out;
  - `phone_numbers`: phone numbers said digit by digit;
  - `european_numbers`: numbers written the European or SI way written the English way;
  - `money`: amounts of money and currency signs said;
  - `written_forms`: ranges, times, units, years and the other written forms (`written_forms_said`);
  - `short_forms`: titles, short forms, initials and acronyms, whose full stop ends no sentence.
- `line_ends`: lines that end without a mark ended as sentences where the text shows they end one (`lines_ended`).
- `sv2tts`: SV2TTS's cleaners and symbol ids (`text_to_sequence`), and the text its Tacotron is given
  (`tacotron_text`).
- `splitting`: text cut into paragraphs, sentences and streaming pieces (`split_text`, `split_for_streaming`).
"""
