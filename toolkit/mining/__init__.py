"""Text mining of section 五: tokenizer, topics, distinctive terms, template reuse."""
