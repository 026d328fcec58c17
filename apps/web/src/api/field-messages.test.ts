import { PASSWORD_RULES, notes, projects, tasks } from '@enclave/contract';
import { describe, expect, it } from 'vitest';
import { humanMessage, lengthRule } from './field-messages';
import { FORM_TEXTS } from './form-texts';

describe('lengthRule', () => {
  it("says a text field's limits from the contract", () => {
    expect(lengthRule('Title', tasks.fieldSpecs.title)).toBe('Title must be 1–200 characters');
    expect(lengthRule('Description', tasks.fieldSpecs.description)).toBe(
      'Description must be at most 1000 characters',
    );
    expect(lengthRule('Note', notes.fieldSpecs.body)).toBe('Note must be 1–10000 characters');
    expect(lengthRule('Name', projects.fieldSpecs.name)).toBe('Name must be 1–100 characters');
  });
});

describe('humanMessage', () => {
  it("says a text field's whole rule in place of the API's length rule", () => {
    expect(humanMessage(FORM_TEXTS.task.title, 'title', 'must be at least 1 character', 400)).toBe(
      'Title must be 1–200 characters',
    );
    expect(
      humanMessage(FORM_TEXTS.project.name, 'name', 'must be at most 100 characters', 400),
    ).toBe('Name must be 1–100 characters');
    expect(humanMessage(FORM_TEXTS.account.password, 'password', PASSWORD_RULES, 400)).toBe(
      'Choose a password of 12 to 128 characters (spaces are fine) that is not your email address.',
    );
  });

  it("keeps any other message of the API's, after the field's label", () => {
    expect(
      humanMessage(
        FORM_TEXTS.account.email,
        'email',
        'must be an email address such as ann@example.com',
        400,
      ),
    ).toBe('Email must be an email address such as ann@example.com');
    expect(humanMessage(undefined, 'project_id', 'is not one of your projects', 400)).toBe(
      'Project id is not one of your projects',
    );
  });

  it('says what a conflict means here', () => {
    expect(humanMessage(FORM_TEXTS.account.email, 'email', 'is already registered', 409)).toBe(
      'An account with this email already exists. Sign in instead.',
    );
  });
});
